import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { testConfig } from '../support/context.js';
import { NATS_URL } from '../support/env.js';
import { connect } from 'nats';
import { logCounts, tally, waitForReadModels } from './support/accounting.js';
import { AlertLoad } from './support/load.js';
import { startPrivatePostgres, type PrivatePostgres } from './support/private-postgres.js';
import { Supervisor } from './support/supervisor.js';
import { printFaultTable, trace } from './support/table.js';

// Postgres holds only read models: while it is down, the webhook keeps acknowledging alerts (the
// log is on NATS), the API says "try again" quickly, and once it is back the projector catches up
// with nothing lost or doubled. The Postgres here is a private server, so stopping it for a minute
// harms no other test.

const OUTAGE_MS = 60_000;

describe('fault: Postgres stopped for 60 s under ingest', () => {
  let db: PrivatePostgres;
  let config: ReturnType<typeof testConfig>;
  const out = mkdtempSync(join(tmpdir(), 'tarka-faults-pg-'));
  beforeAll(async () => {
    db = await startPrivatePostgres();
    config = testConfig({ POSTGRES_HOST: db.host, POSTGRES_PORT: String(db.port) });
  });
  afterAll(async () => {
    await db?.destroy();
    const nc = await connect({ servers: NATS_URL });
    const jsm = await nc.jetstreamManager();
    for (const s of [config.EVENTS_STREAM, config.JETSTREAM_STREAM, `${config.JETSTREAM_STREAM}_DLQ`])
      await jsm.streams.delete(s).catch(() => undefined);
    await nc.close();
  });

  it(
    'keeps answering 202, answers API calls 503 quickly, and catches up with nothing lost or doubled',
    { timeout: 150_000 },
    async () => {
      const procs = new Supervisor(config, {}, out);
      const serve = await procs.start('serve');
      await procs.start('project');
      const load = new AlertLoad({
        urls: [serve.url],
        prefix: 'pg',
        senders: 2,
        alertsPerGroup: 5,
        groupIntervalMs: 250,
      });
      const t0 = Date.now();
      const step = (m: string) => trace('postgres-outage', t0, `${m} (acknowledged ${load.acked.size})`);
      const faults: string[] = [];
      try {
        load.start();
        await load.waitAcked(100);
        const ackedBefore = load.acked.size;
        const down = Date.now();
        await db.stop();
        faults.push(`pg_ctl stop -m fast; Postgres down for ${OUTAGE_MS / 1000} s`);
        step('Postgres stopped');

        // What on-call and Kubernetes see meanwhile: the API says "retry" at once; the webhook stays ready.
        const apiStart = Date.now();
        const api = await fetch(`${serve.url}/api/cases?limit=5`, {
          signal: AbortSignal.timeout(30_000),
        }).then(
          (r) => ({ status: r.status, retryAfter: r.headers.get('retry-after'), ms: Date.now() - apiStart }),
          (e: Error) => ({ status: 0, retryAfter: null, ms: Date.now() - apiStart, error: e.message }),
        );
        const ready = await fetch(`${serve.url}/ready`, { signal: AbortSignal.timeout(10_000) }).then(
          (r) => r.status,
          () => 0,
        );
        step(`API answered ${api.status} in ${api.ms} ms; serve /ready ${ready}`);

        // The outage itself lasts a fixed time: that is the fault, not a wait for a condition.
        await new Promise((r) => setTimeout(r, Math.max(0, down + OUTAGE_MS - Date.now())));
        const ackedDuring = load.acked.size - ackedBefore;
        const during = load.answersBetween(down, Date.now());
        await db.start();
        const up = Date.now();
        faults.push('pg_ctl start');
        step('Postgres started again');

        await load.waitAcked(load.acked.size + 50, 30_000);
        await load.stop();
        const facts = await waitForReadModels(config, [...load.acked], { timeoutMs: 45_000 });
        const caughtUpSeconds = ((Date.now() - up) / 1000).toFixed(1);
        await procs.check('during the run');
        step('read models caught up (or timed out)');
        const log = await logCounts(NATS_URL, config);
        const t = tally(load.acked, load.sent.keys(), facts, log, { completed: false });
        const refused = during.filter((a) => a.status !== 202);
        printFaultTable(
          {
            scenario: 'postgres-outage',
            faults,
            sent: load.sent.size,
            acknowledged: load.acked.size,
            inReadModels: t.inReadModels,
            lost: t.lost.length,
            duplicated: t.duplicated.length,
            notes: {
              'alerts acknowledged while Postgres was down': ackedDuring,
              'POSTs while down: 202 / other': `${during.length - refused.length} / ${refused.length}`,
              'GET /api/cases while down': `${api.status} in ${api.ms} ms, Retry-After ${api.retryAfter ?? '-'}`,
              'serve /ready while down': ready,
              'seconds from Postgres start to read models complete': caughtUpSeconds,
              'processes that crashed on their own': `${procs.crashes.length}${procs.crashes.length ? ` (full output in ${out})` : ''}`,
              ...Object.fromEntries(procs.crashes.map((c, i) => [`crash ${i + 1}`, c])),
              seconds: Math.round((Date.now() - t0) / 1000),
            },
          },
          out,
        );
        const some = (xs: string[]) => xs.slice(0, 5).join(', ');
        expect(ackedDuring, 'alerts acknowledged while Postgres was down').toBeGreaterThan(100);
        expect(
          refused.map((a) => a.status),
          'POST /alerts answers other than 202 while Postgres was down',
        ).toEqual([]);
        expect(api.status, 'GET /api/cases while Postgres is down').toBe(503);
        expect(api.retryAfter, 'Retry-After on the 503').toBeTruthy();
        expect(api.ms, 'milliseconds to answer GET /api/cases while Postgres is down').toBeLessThan(5000);
        expect(ready, 'serve /ready while Postgres is down (ingest needs NATS only)').toBe(200);
        expect(load.rejected, 'valid notifications answered 4xx').toEqual([]);
        expect(t.lost.length, `acknowledged alerts missing from the cases read model: ${some(t.lost)}`).toBe(
          0,
        );
        expect(t.duplicated.length, `alerts recorded twice: ${some(t.duplicated)}`).toBe(0);
        expect(procs.crashes, 'Tarka processes that exited on their own').toEqual([]);
      } finally {
        await load.stop(0);
        await procs.stopAll();
      }
    },
  );
});
