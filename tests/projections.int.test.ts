import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join, resolve } from 'node:path';
import { casesProjection } from '../src/projections/cases/projection.js';
import { physicalTables } from '../src/projections/engine/projection.js';
import { evolveRow } from '../src/projections/cases/evolve.js';
import type { CaseRow } from '../src/projections/cases/schema.js';
import { ProjectorRunner } from '../src/projections/engine/runner.js';
import { replayProjection } from '../src/projections/engine/replay.js';
import { upgradeReadModels } from '../src/projections/engine/upgrade.js';
import type { Recorded } from '../src/events/envelope.js';
import { testContext } from './support/context.js';
import { randomHistory } from './support/history.js';
import { envOf } from './support/process.js';

const root = resolve(import.meta.dirname, '..');

type Ctx = Awaited<ReturnType<typeof testContext>>;

/** Every row of the read model (cases, investigations, steps), in a stable order. */
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

async function allEvents(ctx: Ctx): Promise<Recorded[]> {
  const head = await ctx.store.headSeq();
  const out: Recorded[] = [];
  await new Promise<void>((resolve) => {
    const sub = ctx.store.subscribe({
      fromSeq: 1,
      onBatch: async (events) => {
        out.push(...events);
        if (events.at(-1)!.seq >= head) void sub.stop().then(resolve);
      },
    });
  });
  return out;
}

describe('cases projection', () => {
  let ctx: Ctx;
  let live: ProjectorRunner;
  const deps = () => ({ pool: ctx.pool, store: ctx.store, log: ctx.log });

  beforeAll(async () => {
    ctx = await testContext();
    live = new ProjectorRunner(deps(), casesProjection, { batchSize: 50 }).start();
  });
  afterAll(async () => {
    await live.stop();
    await ctx.dispose();
  });

  it('matches a row-by-row fold of the log (the pure reference), projected live in batches', async () => {
    await randomHistory(ctx.handler, { cases: 40, steps: 400, seed: 7 });
    await live.waitFor(await ctx.store.headSeq());
    const expected = new Map<string, CaseRow | null>();
    for (const e of await allEvents(ctx)) {
      const id = e.aggregate.slice(5);
      expected.set(id, evolveRow(expected.get(id) ?? null, e));
    }
    const rows = (
      await ctx.pool.query('SELECT case_id, status, episode_count, last_seq FROM cases ORDER BY case_id')
    ).rows;
    expect(rows.length).toBe([...expected.values()].filter(Boolean).length);
    for (const r of rows) {
      const want = expected.get(r.case_id)!;
      expect({ status: r.status, episodes: r.episode_count, seq: Number(r.last_seq) }).toEqual({
        status: want.status,
        episodes: want.episode_count,
        seq: want.last_seq,
      });
    }
  });

  it('changes nothing when the same batch is applied twice', async () => {
    const before = await rowsOf(ctx);
    const events = await allEvents(ctx);
    const client = await ctx.pool.connect();
    const tables = physicalTables(casesProjection, live.generation);
    try {
      await client.query('BEGIN');
      await casesProjection.apply(client, events.slice(0, 200), tables);
      await casesProjection.apply(client, events, tables);
      await client.query('COMMIT');
    } catch (e) {
      await client.query('ROLLBACK');
      throw e;
    } finally {
      client.release();
    }
    const steps = async () =>
      (await ctx.pool.query('SELECT count(*)::int AS n FROM investigation_steps')).rows[0].n;
    const stepEvents = events.filter((e) => e.type === 'InvestigationStepCompleted').length;
    expect(stepEvents).toBeGreaterThan(0);
    expect(await steps()).toBe(stepEvents);
    expect(await rowsOf(ctx)).toEqual(before);
  });

  it('keeps a single active instance: a second runner stands by while the first holds the lock', async () => {
    const second = new ProjectorRunner(deps(), casesProjection).start();
    await ctx.handler.handle(
      `solo${randomUUID().slice(0, 8)}`,
      {
        type: 'ReceiveAlert',
        alert: {
          fingerprint: 'solo',
          status: 'firing',
          labels: { alertname: 'Solo' },
          annotations: {},
          startsAt: new Date().toISOString(),
          endsAt: null,
          generatorURL: null,
        },
        notification: { receiver: null, groupKey: null, truncatedAlerts: 0, reason: null },
        investigationId: 'solo',
      },
      randomUUID(),
    );
    await live.waitFor(await ctx.store.headSeq());
    expect(second.position).toBe(0);
    await second.stop();
  });

  it('survives its Postgres session being cut, as by a restart or failover, and catches up', async () => {
    await live.waitFor(await ctx.store.headSeq());
    // The session holding the projector's advisory lock sits idle between batches.
    const { rowCount } = await ctx.pool.query(
      `SELECT pg_terminate_backend(l.pid) FROM pg_locks l JOIN pg_database d ON d.oid = l.database
       WHERE l.locktype = 'advisory' AND l.granted AND d.datname = current_database()`,
    );
    expect(rowCount).toBeGreaterThan(0);
    await randomHistory(ctx.handler, { cases: 3, steps: 20, seed: 31 });
    await live.waitFor(await ctx.store.headSeq(), 20_000);
    // A lost session is an outage, not a bad event: nothing is set aside.
    expect(live.setAside).toBe(0);
    expect((await ctx.pool.query('SELECT 1 FROM projection_set_aside')).rowCount).toBe(0);
  });

  it('rebuilds from sequence 1 into fresh tables that equal the live ones row for row, while serving', async () => {
    await live.waitFor(await ctx.store.headSeq());
    const before = await rowsOf(ctx);
    const genBefore = live.generation;
    // Keep reading through the view while the rebuild runs: readers must never fail or see less.
    let reading = true;
    let reads = 0;
    const reader = (async () => {
      while (reading) {
        const { rows } = await ctx.pool.query('SELECT count(*)::int AS n FROM cases');
        expect(rows[0].n).toBeGreaterThanOrEqual(before.cases.length);
        reads++;
      }
    })();
    const result = await replayProjection(deps(), casesProjection);
    reading = false;
    await reader;
    expect(reads).toBeGreaterThan(0);
    expect(result.generation).toBe(genBefore + 1);
    expect(result.messages).toBe(await ctx.store.headSeq());
    expect(result.events).toBeGreaterThanOrEqual(result.messages);
    expect(await rowsOf(ctx)).toEqual(before);
    // The old generation is gone and the live projector follows the new one.
    const { rows } = await ctx.pool.query(`SELECT to_regclass('cases_g${genBefore}') AS t`);
    expect(rows[0].t).toBeNull();
    await randomHistory(ctx.handler, { cases: 5, steps: 20, seed: 99 });
    await live.waitFor(await ctx.store.headSeq());
    expect(live.generation).toBe(result.generation);
  });

  it('includes events appended during the rebuild', async () => {
    const appending = randomHistory(ctx.handler, { cases: 20, steps: 300, seed: 1234 });
    const result = await replayProjection(deps(), casesProjection);
    await appending;
    await live.waitFor(await ctx.store.headSeq());
    const liveRows = await rowsOf(ctx);
    // A second rebuild, from a quiet log, must agree with what the live projector now shows.
    const again = await replayProjection(deps(), casesProjection);
    expect(again.generation).toBe(result.generation + 1);
    expect(await rowsOf(ctx)).toEqual(liveRows);
  });

  it('rebuilds a read model by itself when an upgrade changed its definition', async () => {
    await live.waitFor(await ctx.store.headSeq());
    const before = await rowsOf(ctx);
    const generation = live.generation;
    await ctx.pool.query(
      `UPDATE projections SET definition_version = definition_version - 1 WHERE name = 'cases'`,
    );
    await upgradeReadModels(deps(), [casesProjection]);
    const { rows } = await ctx.pool.query(
      `SELECT active_generation, definition_version FROM projections WHERE name = 'cases'`,
    );
    expect(rows[0].definition_version).toBe(casesProjection.definitionVersion);
    const rebuilt = rows[0].active_generation;
    expect(rebuilt).toBeGreaterThan(generation);
    expect(await rowsOf(ctx)).toEqual(before);
    // Nothing to do the second time.
    await upgradeReadModels(deps(), [casesProjection]);
    expect(
      (await ctx.pool.query(`SELECT active_generation FROM projections WHERE name = 'cases'`)).rows[0]
        .active_generation,
    ).toBe(rebuilt);
  });

  it('rebuilds with `tarka replay` (reading on a worker thread) to the same rows, keys and indexes included', async () => {
    await live.waitFor(await ctx.store.headSeq());
    const before = await rowsOf(ctx);
    const active = `SELECT active_generation AS g FROM projections WHERE name = 'cases'`;
    const generation: number = (await ctx.pool.query(active)).rows[0].g;
    const child = spawn(process.execPath, [join(root, 'dist', 'cli', 'main.js'), 'replay'], {
      env: envOf(ctx.config),
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    const code = await new Promise((r) => child.on('exit', r));
    expect(code, out).toBe(0);
    expect(out).toMatch(
      new RegExp(
        `cases: rebuilt generation ${generation + 1} from \\d+ events .* \\(\\d+ events/s\\), ${before.cases.length} rows`,
      ),
    );
    expect(await rowsOf(ctx)).toEqual(before);
    // Loaded before its key, the steps table has it (and its index) by the time it serves.
    const { rows } = await ctx.pool.query(
      `SELECT indexdef FROM pg_indexes WHERE tablename = $1 ORDER BY indexname`,
      [`investigation_steps_g${generation + 1}`],
    );
    expect(rows.map((r) => r.indexdef)).toEqual([
      expect.stringMatching(/CREATE INDEX .* \(investigation_id, seq\)/),
      expect.stringMatching(/CREATE UNIQUE INDEX .*_pkey .* \(seq, idx\)/),
    ]);
    await randomHistory(ctx.handler, { cases: 3, steps: 10, seed: 5 });
    await live.waitFor(await ctx.store.headSeq());
    expect(live.generation).toBe(generation + 1);
  });
});
