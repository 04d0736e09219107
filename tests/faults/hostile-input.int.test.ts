import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readdirSync, statSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve, sep } from 'node:path';
import pg from 'pg';
import { connect } from 'nats';
import { dropTestResources, testConfig } from '../support/context.js';
import { NATS_URL } from '../support/env.js';
import { checkpoints, logCounts } from './support/accounting.js';
import { Supervisor } from './support/supervisor.js';
import { printFaultTable, trace } from './support/table.js';
import { hostileAlert, hostileCorpus, notification, type HostileEntry } from './hostile-corpus.js';

// Every hostile payload gets a clear answer (202, or a 4xx naming the field; never a 5xx or a
// hang), whatever is accepted reaches the read models, and a normal alert sent afterwards is
// visible within seconds: no poison event may wedge a projector.

interface Result {
  entry: HostileEntry;
  status: number | 'error';
  ms: number;
  code?: string;
  message?: string;
  ok: boolean;
  /** The 202 body's counts, e.g. `new=1 unchanged=0 rejected=0`. */
  counts?: string;
  /** Alerts the 202 says were stored: the body's alerts less those it refused (`rejected`). */
  stored?: number;
  /** Acknowledged alerts found in the read model (when the answer was 202). */
  found?: number;
  intactOk?: boolean;
}

/**
 * POSTs with node:http rather than fetch: a server may answer 413 and close before it has read a
 * huge body, and the answer must still be seen (fetch reports only the failed upload).
 */
async function post(url: string, entry: { body?: unknown; raw?: { text: string; contentType: string } }) {
  const t0 = Date.now();
  const payload = Buffer.from(entry.raw?.text ?? JSON.stringify(entry.body));
  const req = request(`${url}/alerts`, {
    method: 'POST',
    headers: {
      'content-type': entry.raw?.contentType ?? 'application/json',
      'content-length': payload.length,
    },
    timeout: 30_000,
  });
  let answered = false;
  const answer = new Promise<{ status: number | 'error'; text: string }>((resolveAnswer) => {
    req.on('response', (res) => {
      answered = true;
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolveAnswer({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString() }),
      );
      res.on('error', () =>
        resolveAnswer({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString() }),
      );
    });
    req.on('timeout', () => req.destroy(new Error('no answer within 30 s')));
    req.on('error', (e) => {
      if (!answered) resolveAnswer({ status: 'error', text: JSON.stringify({ message: e.message }) });
    });
  });
  // A body over the limit is refused from its Content-Length alone, and the server closes the
  // connection: send the headers first and give that answer a moment, as Expect: 100-continue would.
  if (payload.length > 1024 * 1024) {
    req.flushHeaders();
    await Promise.race([answer, new Promise((r) => setTimeout(r, 1000))]);
  }
  if (!answered) req.end(payload);
  const { status, text } = await answer;
  let json: Record<string, unknown> = {};
  try {
    json = JSON.parse(text) as Record<string, unknown>;
  } catch {
    /* not JSON: no code, no message */
  }
  return { status, ms: Date.now() - t0, json };
}

describe('fault: hostile input posted to /alerts', () => {
  const config = testConfig();
  const out = mkdtempSync(join(tmpdir(), 'tarka-faults-hostile-'));
  let db: pg.Client | undefined;
  afterAll(async () => {
    await db?.end().catch(() => undefined);
    await dropTestResources(config);
  });

  it(
    'answers each hostile payload clearly; accepted ones reach the read models; a normal alert shows within seconds',
    { timeout: 150_000 },
    async () => {
      const procs = new Supervisor(config, {}, out);
      const serve = await procs.start('serve');
      await procs.start('project');
      await procs.start('worker');
      db = new pg.Client({
        host: config.POSTGRES_HOST,
        port: config.POSTGRES_PORT,
        user: config.POSTGRES_USER,
        password: config.POSTGRES_PASSWORD,
        database: config.POSTGRES_DB,
      });
      await db.connect();
      const sql = db;
      const t0 = Date.now();
      const step = (m: string) => trace('hostile-input', t0, m);
      try {
        // A case whose fingerprint a forged alert will claim.
        const victim = hostileAlert('fp-victim');
        expect((await post(serve.url, { body: notification([victim]) })).status).toBe(202);
        const forged: HostileEntry = {
          name: 'fingerprint-of-another-case',
          body: notification([
            { ...hostileAlert('fingerprint-of-another-case'), fingerprint: victim.fingerprint },
          ]),
          expect: [202, 400],
          field: /fingerprint/,
          alerts: 1,
        };
        const corpus = [...hostileCorpus(), forged];

        const results: Result[] = [];
        for (const entry of corpus) {
          const r = await post(serve.url, entry);
          const code = typeof r.json.code === 'string' ? r.json.code : undefined;
          const message = typeof r.json.message === 'string' ? r.json.message : undefined;
          const clear4xx =
            typeof r.status === 'number' &&
            r.status >= 400 &&
            code !== undefined &&
            message !== undefined &&
            (!entry.field || entry.field.test(message));
          const ok =
            (entry.expect as (number | 'error')[]).includes(r.status) && (r.status === 202 || clear4xx);
          results.push({
            entry,
            status: r.status,
            ms: r.ms,
            ...(r.status === 202 ? { stored: entry.alerts - (Number(r.json.rejected) || 0) } : {}),
            ...(r.status === 202
              ? {
                  counts: ['new', 'unchanged', 'resolved', 'rejected']
                    .map((k) => `${k}=${String(r.json[k])}`)
                    .join(' '),
                }
              : {}),
            ...(code ? { code } : {}),
            ...(message ? { message } : {}),
            ok,
          });
        }
        step(`posted ${corpus.length} hostile payloads`);
        await procs.check('after the hostile payloads');

        // A normal alert afterwards must be visible through the API within a few seconds.
        const normal = hostileAlert('normal-after');
        const sentAt = Date.now();
        const normalAnswer = await post(serve.url, { body: notification([normal]) });
        let visibleMs = -1;
        while (Date.now() - sentAt < 5_000) {
          const res = await fetch(`${serve.url}/api/cases/${normal.fingerprint as string}`).catch(() => null);
          if (res?.ok && ((await res.json()) as { case: unknown }).case) {
            visibleMs = Date.now() - sentAt;
            break;
          }
          await new Promise((r) => setTimeout(r, 100));
        }
        step(`normal alert: ${normalAnswer.status}, visible after ${visibleMs} ms`);

        // A forged future start must not have muted the case: the real firing is a new episode.
        const real = hostileAlert('startsAt-next-year');
        const realAnswer = await post(serve.url, { body: notification([real]) });

        // Whatever was accepted reaches the cases read model, with valid text kept as sent.
        const accepted = results.filter((r) => (r.stored ?? 0) > 0);
        const rowsOf = async (name: string) =>
          (
            await sql.query<{ case_id: string; labels: Record<string, string>; episode_count: number }>(
              `SELECT case_id, labels, episode_count FROM cases WHERE labels->>'hostile' = $1`,
              [name],
            )
          ).rows;
        const deadline = Date.now() + 10_000;
        for (;;) {
          for (const r of accepted) {
            const rows = await rowsOf(r.entry.name);
            r.found = rows.length;
            if (rows.length > 0)
              r.intactOk = Object.entries(r.entry.intact ?? {}).every(([k, v]) =>
                rows.some((row) => row.labels[k] === v),
              );
          }
          if (accepted.every((r) => r.found! >= r.stored!) || Date.now() > deadline) break;
          await new Promise((r) => setTimeout(r, 250));
        }
        const victimRows = await sql.query<{ labels: Record<string, string>; episode_count: number }>(
          'SELECT labels, episode_count FROM cases WHERE case_id = $1',
          [victim.fingerprint],
        );

        // No projector stuck: each one's checkpoint reaches the head of the log.
        const nc = await connect({ servers: NATS_URL });
        const head = (await (await nc.jetstreamManager()).streams.info(config.EVENTS_STREAM)).state.last_seq;
        await nc.close();
        let positions: Record<string, number> = {};
        for (const until = Date.now() + 10_000; ;) {
          positions = await checkpoints(config);
          const behind = ['cases', 'dispatcher', 'reports'].filter((n) => (positions[n] ?? 0) < head);
          if (behind.length === 0 || Date.now() > until) break;
          await new Promise((r) => setTimeout(r, 250));
        }
        const log = await logCounts(NATS_URL, config).catch(() => null);

        // Prototype keys in the inbox search are just label names.
        const searches: Record<string, number> = {};
        for (const q of ['constructor:c', 'hasOwnProperty:x', '__proto__:x', 'toString:t'])
          searches[q] = (await fetch(`${serve.url}/api/cases?q=${encodeURIComponent(q)}`)).status;

        // Reports stay inside their folder whatever the labels say.
        const reportsDir = resolve(config.TARKA_DATA_DIR, 'reports');
        const files: string[] = [];
        const walk = (d: string) => {
          for (const f of readdirSync(d)) {
            const p = join(d, f);
            if (statSync(p).isDirectory()) walk(p);
            else files.push(p);
          }
        };
        walk(resolve(config.TARKA_DATA_DIR));
        const outside = files.filter((f) => !f.startsWith(reportsDir + sep));
        await procs.check('at the end');

        const ackedAlerts =
          accepted.reduce((n, r) => n + r.stored!, 0) + 1 + (normalAnswer.status === 202 ? 1 : 0);
        const foundAlerts =
          accepted.reduce((n, r) => n + Math.min(r.found ?? 0, r.stored!), 0) +
          victimRows.rowCount! +
          (visibleMs >= 0 ? 1 : 0);
        const wrong = results.filter((r) => !r.ok);
        const missing = accepted.filter((r) => (r.found ?? 0) < r.stored!);
        const altered = accepted.filter((r) => r.intactOk === false);
        const victimLabel = victimRows.rows[0]?.labels.hostile;
        const victimFired = log?.get(victim.fingerprint as string)?.AlertFired ?? -1;
        const sentAlerts = corpus.reduce((n, e) => n + e.alerts, 0) + 3;
        printFaultTable(
          {
            scenario: 'hostile-input',
            faults: corpus.map((e) => e.name),
            sent: sentAlerts,
            acknowledged: ackedAlerts,
            inReadModels: foundAlerts,
            lost: ackedAlerts - foundAlerts,
            duplicated: victimRows.rows[0] && victimRows.rows[0].episode_count > 1 ? 1 : 0,
            notes: {
              ...Object.fromEntries(
                results.map((r) => [
                  `answer ${r.entry.name}`,
                  `${r.status} in ${r.ms} ms ${r.ok ? 'ok' : `WRONG (expected ${r.entry.expect.join('/')}${r.entry.field ? ` naming ${r.entry.field}` : ''})`}` +
                    `${r.code ? ` ${r.code}` : ''}${r.message ? `: ${r.message.slice(0, 120)}` : ''}` +
                    `${r.counts ? ` (${r.counts})` : ''}${r.found !== undefined ? `; cases found ${r.found}` : ''}${r.intactOk === false ? '; TEXT ALTERED' : ''}`,
                ]),
              ),
              'normal alert afterwards': `${normalAnswer.status}, visible through the API after ${visibleMs < 0 ? 'more than 5000' : visibleMs} ms`,
              'real firing after a forged future start': `${realAnswer.status} new=${String(realAnswer.json.new)}`,
              'forged fingerprint: victim case label / AlertFired events': `${victimLabel} / ${victimFired}`,
              'checkpoints / stream head': `${JSON.stringify(positions)} / ${head}`,
              'inbox searches with prototype keys': JSON.stringify(searches),
              'files written outside the report folder': outside.length,
              'processes that crashed on their own': `${procs.crashes.length}${procs.crashes.length ? ` (full output in ${out})` : ''}`,
              ...Object.fromEntries(procs.crashes.map((c, i) => [`crash ${i + 1}`, c])),
              seconds: Math.round((Date.now() - t0) / 1000),
            },
          },
          out,
        );
        expect(
          wrong.map((r) => `${r.entry.name}: ${r.status} ${r.message?.slice(0, 200) ?? ''}`),
          'payloads without a clear, expected answer',
        ).toEqual([]);
        expect(
          visibleMs,
          'ms until a normal alert sent afterwards is visible (-1: not within 5 s)',
        ).toBeGreaterThanOrEqual(0);
        expect(
          missing.map((r) => r.entry.name),
          'accepted alerts missing from the cases read model',
        ).toEqual([]);
        expect(
          altered.map((r) => r.entry.name),
          'accepted valid text not kept as sent',
        ).toEqual([]);
        expect(realAnswer.status, 'real firing after a forged future start').toBe(202);
        expect(
          realAnswer.json.new,
          'the real firing opens a new episode (the forged start did not mute it)',
        ).toBe(1);
        expect(victimLabel, 'a forged fingerprint does not take over another case').toBe('fp-victim');
        expect(victimFired, 'AlertFired events of the victim case').toBe(1);
        for (const n of ['cases', 'dispatcher', 'reports'])
          expect(
            positions[n] ?? 0,
            `${n} projector checkpoint reaches the stream head`,
          ).toBeGreaterThanOrEqual(head);
        expect(searches, 'inbox searches with prototype keys').toEqual({
          'constructor:c': 200,
          'hasOwnProperty:x': 200,
          '__proto__:x': 200,
          'toString:t': 200,
        });
        expect(outside, 'files written outside the report folder').toEqual([]);
        expect(procs.crashes, 'Tarka processes that exited on their own').toEqual([]);
      } finally {
        await procs.stopAll();
      }
    },
  );
});
