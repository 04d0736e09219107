import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'nats';
import { S3ObjectStore } from '../../src/reports/s3-object-store.js';
import { dropTestResources, testConfig } from '../support/context.js';
import { NATS_URL } from '../support/env.js';
import { envOf } from '../support/process.js';
import { startS3Server } from '../support/s3.js';
import { checkpoints, logCounts, tally, waitForReadModels } from './support/accounting.js';
import { AlertLoad } from './support/load.js';
import { startBlackholeProxy, type BlackholeProxy } from './support/blackhole-proxy.js';
import { runTarkaOnce, Supervisor } from './support/supervisor.js';
import { printFaultTable, trace } from './support/table.js';

// Report snapshots go to S3 (s3rver, a real S3-protocol server) through a TCP proxy that can turn
// into a black hole. While S3 hangs, alerts keep arriving and the cases read model keeps up (it
// does not wait for S3), a `tarka replay` completes its switch-over, and once S3 is back every
// completed investigation gets its report, with the report writer's checkpoint at the stream head.

const MIN_HANG_MS = 15_000;

describe('fault: S3 endpoint hanging, then back', () => {
  let s3: Awaited<ReturnType<typeof startS3Server>>;
  let proxy: BlackholeProxy;
  let config: ReturnType<typeof testConfig>;
  const out = mkdtempSync(join(tmpdir(), 'tarka-faults-s3-'));
  beforeAll(async () => {
    s3 = await startS3Server();
    proxy = await startBlackholeProxy({ host: '127.0.0.1', port: Number(new URL(s3.endpoint).port) });
    config = testConfig({
      S3_BUCKET: s3.settings.bucket,
      S3_ENDPOINT_URL: proxy.url(),
      S3_REGION: s3.settings.region,
      S3_ACCESS_KEY_ID: s3.settings.accessKeyId!,
      S3_SECRET_ACCESS_KEY: s3.settings.secretAccessKey!,
    });
  });
  afterAll(async () => {
    await proxy?.close();
    await s3?.stop();
    await dropTestResources(config);
  });

  it(
    'keeps cases and replay going while S3 hangs, and writes every report once it is back',
    { timeout: 150_000 },
    async () => {
      const procs = new Supervisor(config, {}, out);
      const serve = await procs.start('serve');
      await procs.start('project');
      await procs.start('worker');
      // Straight to s3rver, not through the proxy: what is really stored.
      const bucket = new S3ObjectStore(s3.settings);
      const reported = async (ids: string[]) => {
        const keys = await bucket.list(config.S3_PREFIX);
        const has = (id: string, ext: string) => keys.some((k) => k.endsWith(ext) && k.includes(`/${id}-`));
        return ids.filter((id) => has(id, '.json') && has(id, '.md'));
      };
      const waitReports = async (ids: string[], timeoutMs: number) => {
        const deadline = Date.now() + timeoutMs;
        for (;;) {
          const done = await reported(ids);
          if (done.length === ids.length || Date.now() > deadline) return done;
          await new Promise((r) => setTimeout(r, 250));
        }
      };
      const send = async (prefix: string) => {
        const load = new AlertLoad({
          urls: [serve.url],
          prefix,
          senders: 2,
          alertsPerGroup: 5,
          maxAlerts: 20,
        });
        load.start();
        await load.waitAcked(20, 20_000);
        await load.stop();
        return load;
      };
      const t0 = Date.now();
      const step = (m: string) => trace('s3-outage', t0, m);
      const faults: string[] = [];
      try {
        const before = await send('s3a');
        const beforeIds = [...before.acked];
        const baseline = await waitReports(beforeIds, 30_000);
        step(`baseline: ${baseline.length}/${beforeIds.length} reports in S3`);
        expect(baseline.length, 'reports written while S3 works').toBe(beforeIds.length);

        proxy.hang();
        const hangStart = Date.now();
        faults.push('S3 endpoint hangs: open and new connections go silent (and stay so)');
        step('S3 hangs');
        const during = await send('s3b');
        const duringIds = [...during.acked];
        const casesDuring = await waitForReadModels(config, duringIds, {
          timeoutMs: 30_000,
          completed: true,
        });
        const visibleDuring = duringIds.filter((id) => casesDuring.get(id)?.completed);
        step(
          `${visibleDuring.length}/${duringIds.length} cases with completed investigations while S3 hangs`,
        );

        const replay = await runTarkaOnce('replay', envOf(config), 60_000);
        faults.push(
          `tarka replay during the hang (exit ${replay.timedOut ? 'none: killed after 60 s' : replay.code}, ${replay.ms} ms)`,
        );
        step(`replay exited ${replay.code} after ${replay.ms} ms`);
        const afterReplay = await waitForReadModels(config, [...beforeIds, ...duringIds], {
          timeoutMs: 10_000,
        });
        const reportsDuringHang = (await reported(duringIds)).length;

        await new Promise((r) => setTimeout(r, Math.max(0, hangStart + MIN_HANG_MS - Date.now())));
        proxy.restore();
        const back = Date.now();
        faults.push(`S3 endpoint back after ${((back - hangStart) / 1000).toFixed(0)} s`);
        step('S3 forwards again');

        const all = [...beforeIds, ...duringIds];
        const done = await waitReports(all, 45_000);
        const catchUp = ((Date.now() - back) / 1000).toFixed(1);
        step(`${done.length}/${all.length} reports in S3`);
        const nc = await connect({ servers: NATS_URL });
        const head = (await (await nc.jetstreamManager()).streams.info(config.EVENTS_STREAM)).state.last_seq;
        await nc.close();
        let position = (await checkpoints(config)).reports ?? 0;
        for (const deadline = Date.now() + 15_000; position < head && Date.now() < deadline;) {
          await new Promise((r) => setTimeout(r, 250));
          position = (await checkpoints(config)).reports ?? 0;
        }
        await procs.check('during the run');

        const facts = await waitForReadModels(config, all, { timeoutMs: 5_000, completed: true });
        const log = await logCounts(NATS_URL, config);
        const acked = new Set([...before.acked, ...during.acked]);
        const sent = [...before.sent.keys(), ...during.sent.keys()];
        const t = tally(acked, sent, facts, log, { completed: true });
        const withReport = new Set(done);
        const complete = all.filter((id) => facts.has(id) && withReport.has(id));
        printFaultTable(
          {
            scenario: 's3-outage',
            faults,
            sent: sent.length,
            acknowledged: acked.size,
            inReadModels: complete.length,
            lost: acked.size - complete.length,
            duplicated: t.duplicated.length,
            notes: {
              'in read models means': 'a case row and its report (.json and .md) in S3',
              'cases with a completed investigation while S3 hung': `${visibleDuring.length}/${duringIds.length}`,
              'reports of those written during the hang': reportsDuringHang,
              'tarka replay during the hang': `exit ${replay.code}, ${replay.ms} ms, switched over: ${/now serving/.test(replay.output)}`,
              'cases visible after the replay': `${afterReplay.size}/${all.length}`,
              'seconds from S3 back to every report': catchUp,
              'S3 connections silenced for ever': proxy.silenced(),
              'report writer checkpoint / stream head': `${position} / ${head}`,
              'processes that crashed on their own': `${procs.crashes.length}${procs.crashes.length ? ` (full output in ${out})` : ''}`,
              ...Object.fromEntries(procs.crashes.map((c, i) => [`crash ${i + 1}`, c])),
              seconds: Math.round((Date.now() - t0) / 1000),
            },
          },
          out,
        );
        expect(
          visibleDuring.length,
          'cases whose investigation completed in the read model while S3 hung',
        ).toBe(duringIds.length);
        expect(
          replay.timedOut,
          `tarka replay did not finish while S3 hung:\n${replay.output.slice(-2000)}`,
        ).toBe(false);
        expect(replay.code, `tarka replay exit code:\n${replay.output.slice(-2000)}`).toBe(0);
        expect(replay.output).toMatch(/now serving/);
        expect(afterReplay.size, 'cases visible after the replay switched over').toBe(all.length);
        expect(t.lost.length, 'acknowledged alerts missing from the cases read model').toBe(0);
        expect(
          all.length - done.length,
          `cases without a report once S3 was back: ${all
            .filter((id) => !withReport.has(id))
            .slice(0, 5)
            .join(', ')}`,
        ).toBe(0);
        expect(position, 'report writer checkpoint reaches the stream head').toBeGreaterThanOrEqual(head);
        expect(t.duplicated.length, 'alerts or investigations recorded twice').toBe(0);
        expect(procs.crashes, 'Tarka processes that exited on their own').toEqual([]);
      } finally {
        proxy.restore();
        await procs.stopAll();
      }
    },
  );
});
