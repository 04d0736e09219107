import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join, resolve } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../src/http/app.js';
import { casesProjection } from '../src/projections/cases/projection.js';
import { ProjectorRunner } from '../src/projections/engine/runner.js';
import { projectorsOf } from '../src/runtime/projectors.js';
import { reportWriter } from '../src/reactors/report-writer.js';
import { createObjectStore } from '../src/reports/create.js';
import { renderReport } from '../src/reports/render.js';
import type { ObjectStore } from '../src/reports/object-store.js';
import { testContext } from './support/context.js';
import { envOf, freePort } from './support/process.js';
import pg from 'pg';
import { describeError, isAboutTheData } from '../src/projections/engine/set-aside.js';
import { StoreUnavailable, TarkaError } from '../src/shared/errors.js';

// Events already in the log that a projector cannot apply must not wedge it: they are appended
// here straight to the store (as old data was, before ingest normalised text), next to a message
// nobody can decode, and the projectors must move past them, list them, count them, and apply
// them once the cause is fixed. On the code before set-aside, each of these waits timed out.

const root = resolve(import.meta.dirname, '..');
type Ctx = Awaited<ReturnType<typeof testContext>>;

const startsAt = '2026-11-01T10:00:00.000Z';
const alertFired = (id: string, labels: Record<string, string>, episode = 1) => ({
  type: 'AlertFired',
  data: {
    fingerprint: id,
    episode,
    startsAt,
    labels: { alertname: 'PoisonTest', ...labels },
    annotations: { summary: `alert ${id}` },
    generatorURL: null,
    notification: { receiver: null, groupKey: null, truncatedAlerts: 0, reason: null },
  },
});

/** Runs the built CLI (dist/) to the end. */
function tarka(ctx: Ctx, ...args: string[]): Promise<{ code: number | null; out: string }> {
  const child = spawn(process.execPath, [join(root, 'dist', 'cli', 'main.js'), ...args], {
    env: envOf(ctx.config),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  return new Promise((r) => child.once('exit', (code) => r({ code, out })));
}

const rowsOf = async (ctx: Ctx) => {
  const all = async (table: string, order: string) =>
    (await ctx.pool.query(`SELECT row_to_json(t)::text AS r FROM ${table} t ORDER BY ${order}`)).rows.map(
      (r) => r.r as string,
    );
  return {
    cases: await all('cases', 'case_id'),
    investigations: await all('investigations', 'investigation_id'),
    steps: await all('investigation_steps', 'seq, idx'),
  };
};

const caseRow = async (ctx: Ctx, id: string) =>
  (
    await ctx.pool.query<{ status: string; last_seq: string; labels: Record<string, string> }>(
      'SELECT status, last_seq, labels FROM cases WHERE case_id = $1',
      [id],
    )
  ).rows[0];

const setAsideSeqs = async (ctx: Ctx, projector: string) =>
  (
    await ctx.pool.query<{ seq: string; generation: number }>(
      `SELECT s.seq, s.generation FROM projection_set_aside s
       JOIN projections p ON p.name = s.projector AND p.active_generation = s.generation
       WHERE s.projector = $1 ORDER BY s.seq`,
      [projector],
    )
  ).rows.map((r) => Number(r.seq));

/** A check the active cases table enforces, as a stand-in for a cause an upgrade would remove. */
async function blockAlertname(ctx: Ctx, alertname: string | null) {
  const { rows } = await ctx.pool.query<{ g: number }>(
    "SELECT active_generation AS g FROM projections WHERE name = 'cases'",
  );
  const table = `cases_g${rows[0]!.g}`;
  await ctx.pool.query(
    alertname === null
      ? `ALTER TABLE ${table} DROP CONSTRAINT blocked`
      : `ALTER TABLE ${table} ADD CONSTRAINT blocked CHECK (alertname <> '${alertname}')`,
  );
}

describe('projectors set aside what they cannot apply', () => {
  let ctx: Ctx;
  let runners: ProjectorRunner[];
  let app: FastifyInstance;
  const seq: Record<string, number> = {};
  const ids = {
    before: `sa-before-${randomUUID().slice(0, 8)}`,
    nul: `sa-nul-${randomUUID().slice(0, 8)}`,
    surrogate: `sa-sur-${randomUUID().slice(0, 8)}`,
    big: `sa-big-${randomUUID().slice(0, 8)}`,
    blocked: `sa-blocked-${randomUUID().slice(0, 8)}`,
    blocked2: `sa-blocked2-${randomUUID().slice(0, 8)}`,
    after: `sa-after-${randomUUID().slice(0, 8)}`,
  };
  const append = async (id: string, event: { type: string; data: unknown }, expectedVersion = 0) =>
    (await ctx.store.append(`case.${id}`, [event], { expectedVersion, commandId: randomUUID() })).seq;
  const deps = () => ({ pool: ctx.pool, store: ctx.store, log: ctx.log, metrics: ctx.metrics });

  beforeAll(async () => {
    ctx = await testContext();
    seq.before = await append(ids.before, alertFired(ids.before, { pod: 'ok' }));
    seq.nul = await append(ids.nul, alertFired(ids.nul, { pod: 'a\u0000b' }));
    seq.surrogate = await append(ids.surrogate, alertFired(ids.surrogate, { pod: 'x\ud800y' }));
    // Decodes, but Postgres refuses it: the episode does not fit the int column.
    seq.big = await append(ids.big, alertFired(ids.big, { pod: 'big' }, 10_000_000_000));
    // Not a Tarka commit at all, published raw on the events subject.
    const ack = await ctx.nc
      .jetstream()
      .publish(`${ctx.config.EVENTS_SUBJECT_PREFIX}.case.sa-raw`, new TextEncoder().encode('{not json'));
    seq.raw = ack.seq;
    seq.after = await append(ids.after, alertFired(ids.after, { pod: 'ok' }));
    runners = projectorsOf(ctx.config, ctx.nc, ctx.store).map((p) =>
      new ProjectorRunner(deps(), p, { batchSize: 100 }).start(),
    );
    app = buildApp(ctx);
  });
  afterAll(async () => {
    await app?.close();
    await Promise.all((runners ?? []).map((r) => r.stop()));
    await ctx.dispose();
  });

  it('moves past them: later events are visible, unstorable text shows as U+FFFD', async () => {
    await Promise.all(runners.map((r) => r.waitFor(seq.after!, 15_000)));
    expect(await caseRow(ctx, ids.after)).toMatchObject({ status: 'firing' });
    expect(await caseRow(ctx, ids.before)).toMatchObject({ status: 'firing' });
    // Old events with NUL or a lone surrogate still show as cases, the text made storable.
    expect((await caseRow(ctx, ids.nul))?.labels.pod).toBe('a\ufffdb');
    expect((await caseRow(ctx, ids.surrogate))?.labels.pod).toBe('x\ufffdy');
    expect(await caseRow(ctx, ids.big)).toBeUndefined();
    expect(await setAsideSeqs(ctx, 'cases')).toEqual([seq.big, seq.raw]);
    // The reactors read past the undecodable message too, and set it aside.
    expect(await setAsideSeqs(ctx, 'dispatcher')).toEqual([seq.raw]);
    expect(await setAsideSeqs(ctx, 'reports')).toEqual([seq.raw]);
  });

  it('counts them in /metrics: set aside by this process, and currently set aside (from Postgres)', async () => {
    const text = (await app.inject('/metrics')).body;
    expect(text).toMatch(/^tarka_projector_events_set_aside_total\{projector="cases"\} 2$/m);
    expect(text).toMatch(/^tarka_projector_events_set_aside_total\{projector="dispatcher"\} 1$/m);
    expect(text).toMatch(/^tarka_projector_set_aside_events\{projector="cases"\} 2$/m);
    expect(text).toMatch(/^tarka_projector_set_aside_events\{projector="reports"\} 1$/m);
  });

  it('lists them with `tarka parked list`: projector, seq, type, error, since, attempts', async () => {
    const { code, out } = await tarka(ctx, 'parked', 'list');
    expect(code).toBe(0);
    const lines = out.trim().split('\n');
    expect(lines[0]).toMatch(/^PROJECTOR\s+SEQ\s+TYPE\s+ERROR\s+SINCE\s+ATTEMPTS$/);
    expect(lines).toContainEqual(
      expect.stringMatching(
        new RegExp(`^cases\\s+${seq.big}\\s+AlertFired \\[0\\]\\s+.*out of range.*\\s1$`),
      ),
    );
    expect(lines).toContainEqual(
      expect.stringMatching(
        new RegExp(`^reports\\s+${seq.raw}\\s+\\(unreadable\\)\\s+message ${seq.raw} is not JSON`),
      ),
    );
    // Never the payload.
    expect(out).not.toContain(ids.big);
    const one = await tarka(ctx, 'parked', 'list', '--projector', 'cases', '--seq', String(seq.raw));
    expect(one.out.trim().split('\n')).toHaveLength(2);
  });

  it('replays (`tarka replay`) past them to the same rows; the set-aside list follows the switch-over', async () => {
    const before = await rowsOf(ctx);
    const { code, out } = await tarka(ctx, 'replay');
    expect(code, out).toBe(0);
    expect(out).toMatch(/2 message\(s\) set aside/);
    expect(await rowsOf(ctx)).toEqual(before);
    const { rows } = await ctx.pool.query<{ g: number }>(
      "SELECT active_generation AS g FROM projections WHERE name = 'cases'",
    );
    expect(rows[0]!.g).toBe(2);
    expect(await setAsideSeqs(ctx, 'cases')).toEqual([seq.big, seq.raw]);
    const { rows: old } = await ctx.pool.query(
      "SELECT 1 FROM projection_set_aside WHERE projector = 'cases' AND generation = 1",
    );
    expect(old).toHaveLength(0);
    // The live projector follows the new generation and keeps going.
    const next = await append(`sa-next-${randomUUID().slice(0, 8)}`, alertFired('next', { pod: 'n' }));
    await runners[0]!.waitFor(next, 15_000);
    expect(runners[0]!.generation).toBe(2);
  });

  it('retries with `tarka parked retry`: reports what still fails, applies once the cause is gone', async () => {
    await blockAlertname(ctx, 'Blocked');
    seq.blocked = await append(ids.blocked, {
      ...alertFired(ids.blocked, {}),
      data: { ...alertFired(ids.blocked, {}).data, labels: { alertname: 'Blocked' } },
    });
    // A later event of the same case: a late retry must fold it after the set-aside one.
    seq.blockedSnooze = await append(
      ids.blocked,
      { type: 'CaseSnoozed', data: { until: '2099-01-01T00:00:00.000Z', by: 'ana', note: null } },
      seq.blocked,
    );
    seq.blocked2 = await append(ids.blocked2, {
      ...alertFired(ids.blocked2, {}),
      data: { ...alertFired(ids.blocked2, {}).data, labels: { alertname: 'Blocked' } },
    });
    await runners[0]!.waitFor(seq.blocked2, 15_000);
    expect(await setAsideSeqs(ctx, 'cases')).toEqual([seq.big, seq.raw, seq.blocked, seq.blocked2]);

    const failing = await tarka(ctx, 'parked', 'retry', '--projector', 'cases');
    expect(failing.code).toBe(1);
    expect(failing.out).toMatch(/0 applied, 4 still failing/);
    expect(failing.out).toMatch(new RegExp(`cases\\s+${seq.blocked}\\s+AlertFired.*"blocked".*\\s2\\n`));

    await blockAlertname(ctx, null);
    const fixed = await tarka(ctx, 'parked', 'retry', '--projector', 'cases', '--seq', String(seq.blocked));
    expect(fixed.code, fixed.out).toBe(0);
    expect(fixed.out).toContain(`applied: cases seq ${seq.blocked} (AlertFired)`);
    // Applied late, yet folded in log order: the later snooze counts, the row is at its seq.
    expect(await caseRow(ctx, ids.blocked)).toMatchObject({
      status: 'snoozed',
      last_seq: String(seq.blockedSnooze),
    });
    expect(await setAsideSeqs(ctx, 'cases')).toEqual([seq.big, seq.raw, seq.blocked2]);
    // The live projector is unharmed by the retry and goes on.
    const next = await append(
      ids.blocked,
      { type: 'CaseReopened', data: { by: 'bo', note: null } },
      seq.blockedSnooze,
    );
    await runners[0]!.waitFor(next, 15_000);
    expect(await caseRow(ctx, ids.blocked)).toMatchObject({ last_seq: String(next) });
  });

  it('retries at start what an older Tarka version set aside', async () => {
    await ctx.pool.query(
      "UPDATE projection_set_aside SET tarka_version = '0.0.0-older' WHERE projector = 'cases' AND seq = $1",
      [seq.blocked2],
    );
    await runners[0]!.stop();
    runners[0] = new ProjectorRunner(deps(), casesProjection, { batchSize: 100 }).start();
    await runners[0].waitFor(seq.blocked2!, 15_000);
    expect(await caseRow(ctx, ids.blocked2)).toMatchObject({
      status: 'firing',
      last_seq: String(seq.blocked2),
    });
    // What the current version set aside is not retried on every start.
    expect(await setAsideSeqs(ctx, 'cases')).toEqual([seq.big, seq.raw]);
    const { rows } = await ctx.pool.query<{ attempts: number }>(
      "SELECT attempts FROM projection_set_aside WHERE projector = 'cases' AND seq = $1",
      [seq.big],
    );
    expect(rows[0]!.attempts).toBe(2);
  });
});

describe('report writer', () => {
  let ctx: Ctx;
  beforeAll(async () => {
    ctx = await testContext();
  });
  afterAll(async () => ctx.dispose());

  it('uploads with no Postgres transaction open, before its checkpoint moves', async () => {
    const real = createObjectStore(ctx.config);
    const seen: { openTransactions: number; checkpoint: number }[] = [];
    // The real folder store, watched: at each upload, what does Postgres hold open?
    const watched: ObjectStore = {
      describe: () => real.describe(),
      get: (k) => real.get(k),
      list: (p) => real.list(p),
      put: async (key, body, type) => {
        const { rows } = await ctx.pool.query<{ n: number; position: string | null }>(
          `SELECT (SELECT count(*)::int FROM pg_stat_activity
                   WHERE datname = current_database() AND state LIKE 'idle in transaction%') AS n,
                  (SELECT max(position) FROM projection_checkpoints WHERE name = 'reports') AS position`,
        );
        seen.push({ openTransactions: rows[0]!.n, checkpoint: Number(rows[0]!.position ?? 0) });
        await real.put(key, body, type);
      },
    };
    const id = `rw-${randomUUID().slice(0, 8)}`;
    const fired = (
      await ctx.store.append(`case.${id}`, [alertFired(id, {})], {
        expectedVersion: 0,
        commandId: randomUUID(),
      })
    ).seq;
    const done = await ctx.store.append(
      `case.${id}`,
      [
        {
          type: 'InvestigationCompleted',
          data: { investigationId: 'i1', anchor: startsAt, report: { family: 'test', summary: 's' } },
        },
      ],
      { expectedVersion: fired, commandId: randomUUID() },
    );
    const runner = new ProjectorRunner(
      { pool: ctx.pool, store: ctx.store, log: ctx.log },
      reportWriter(watched, '', renderReport),
    ).start();
    try {
      await runner.waitFor(done.seq, 15_000);
    } finally {
      await runner.stop();
    }
    expect(seen).toHaveLength(2);
    expect(seen.every((s) => s.openTransactions === 0 && s.checkpoint < done.seq)).toBe(true);
    expect(await real.get(`2026-11-01/${id}-test.json`)).toContain('"investigationId": "i1"');
  });
});

describe('an outage is not the data', () => {
  let ctx: Ctx;
  beforeAll(async () => {
    ctx = await testContext();
  });
  afterAll(async () => ctx.dispose());

  it('tells errors about an event from errors about the system, as Postgres and Node raise them', async () => {
    const pgError = (sql: string) =>
      ctx.pool.query(sql).then(
        () => undefined,
        (e: unknown) => e,
      );
    // About the event: bad values, broken rules, our own code tripping on its shape, undecodable.
    expect(isAboutTheData(await pgError(`SELECT '"\\u0000"'::jsonb`))).toBe(true);
    expect(isAboutTheData(await pgError('SELECT 10000000000::int'))).toBe(true);
    expect(isAboutTheData(new TypeError("Cannot read properties of undefined (reading 'alertname')"))).toBe(
      true,
    );
    expect(isAboutTheData(new TarkaError('TARKA_EVENT_UNREADABLE', 'message 3 is not JSON'))).toBe(true);
    // About the system: a missing table, a refused connection, the event store or S3 down.
    expect(isAboutTheData(await pgError('SELECT * FROM no_such_table'))).toBe(false);
    const port = await freePort();
    const refused = await new pg.Client({ host: '127.0.0.1', port }).connect().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isAboutTheData(refused)).toBe(false);
    expect(isAboutTheData(new StoreUnavailable('JetStream is down'))).toBe(false);
    expect(isAboutTheData(new TarkaError('TARKA_DEPENDENCY_DOWN', 'S3 is down'))).toBe(false);
    // What is recorded and logged says what failed, not the value that made it fail.
    const bad = await pgError("SELECT 's3cr3t-label'::int");
    expect(isAboutTheData(bad)).toBe(true);
    expect(describeError(bad)).toEqual({
      error: 'invalid input syntax for type integer: "[redacted]"',
      code: '22P02',
    });
  });

  it('sets nothing aside when Postgres drops the session in the middle of a batch; it catches up', async () => {
    const runner = new ProjectorRunner(
      { pool: ctx.pool, store: ctx.store, log: ctx.log },
      casesProjection,
    ).start();
    const locker = await ctx.pool.connect();
    try {
      const first = `out-a-${randomUUID().slice(0, 8)}`;
      const s1 = (
        await ctx.store.append(`case.${first}`, [alertFired(first, {})], {
          expectedVersion: 0,
          commandId: randomUUID(),
        })
      ).seq;
      await runner.waitFor(s1, 15_000);
      // Hold the table, so the next batch waits inside its apply; then cut that session.
      await locker.query('BEGIN');
      await locker.query('LOCK TABLE cases_g1 IN ACCESS EXCLUSIVE MODE');
      const second = `out-b-${randomUUID().slice(0, 8)}`;
      const s2 = (
        await ctx.store.append(`case.${second}`, [alertFired(second, {})], {
          expectedVersion: 0,
          commandId: randomUUID(),
        })
      ).seq;
      let waiting: number[] = [];
      for (const deadline = Date.now() + 10_000; waiting.length === 0 && Date.now() < deadline;) {
        const { rows } = await ctx.pool.query<{ pid: number }>(
          `SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`,
        );
        waiting = rows.map((r) => r.pid);
        if (waiting.length === 0) await new Promise((r) => setTimeout(r, 20));
      }
      expect(waiting).toHaveLength(1);
      await ctx.pool.query('SELECT pg_terminate_backend($1)', [waiting[0]]);
      await locker.query('COMMIT');
      await runner.waitFor(s2, 20_000);
      expect((await ctx.pool.query('SELECT 1 FROM cases WHERE case_id = $1', [second])).rowCount).toBe(1);
      expect((await ctx.pool.query('SELECT 1 FROM projection_set_aside')).rowCount).toBe(0);
      expect(runner.setAside).toBe(0);
    } finally {
      locker.release();
      await runner.stop();
    }
  });
});
