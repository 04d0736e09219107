import { checkout } from '../../db/postgres.js';
import type pg from 'pg';
import pgLib from 'pg';
import type { EventStore } from '../../events/event-store.js';
import type { Recorded } from '../../events/envelope.js';
import type { Logger } from '../../shared/log.js';
import { checkpoint, createGeneration, createIndexes, pointViews } from './generations.js';
import { physicalTables, type Projection } from './projection.js';
import { ProjectorRunner } from './runner.js';
import { applyIsolating } from './isolate.js';
import { describeError, recordSetAside, UNREADABLE, type SetAside } from './set-aside.js';

export interface ReplayResult {
  name: string;
  generation: number;
  /** Stream messages read (one per decision). */
  messages: number;
  /** Events applied (a decision may hold several). */
  events: number;
  /** Messages set aside in the new generation (listed by `tarka parked list`). */
  setAside: number;
  seconds: number;
  eventsPerSecond: number;
}

export interface ReplayProgress {
  name: string;
  position: number;
  target: number;
}

/**
 * Rebuilds a read model blue/green: builds a new generation of its tables from sequence 1 while the
 * current one keeps serving, then, under the projection's row lock, applies the last few events and
 * points the views at the new tables in one transaction. The live projector follows on its next batch.
 */
export async function replayProjection(
  deps: { pool: pg.Pool; store: EventStore; log: Logger },
  p: Projection,
  onProgress: (p: ReplayProgress) => void = () => {},
  /** Where the bulk load reads the log (a read shared by several rebuilds: see shared-read.ts). */
  source: EventStore = deps.store,
): Promise<ReplayResult> {
  const started = performance.now();
  const client = await checkout(deps.pool);
  try {
    const { rows } = await client.query<{ g: number | null }>(
      'SELECT max(generation) AS g FROM projection_checkpoints WHERE name = $1',
      [p.name],
    );
    const generation = (rows[0]?.g ?? 0) + 1;
    await client.query('BEGIN');
    await createGeneration(client, p, generation, { indexes: false });
    await client.query('COMMIT');

    // Bulk of the work: an ordinary runner on the new generation, up to the head seen now.
    const target = await deps.store.headSeq();
    const runner = new ProjectorRunner({ ...deps, store: source }, p, { generation, batchSize: 10000 });
    const report = () => onProgress({ name: p.name, position: runner.position, target });
    runner.on('committed', report);
    runner.start();
    try {
      await runner.waitFor(target, 24 * 3600_000);
    } finally {
      await runner.stop();
    }

    // Indexes once, on the loaded tables: cheaper than maintaining them row by row during the load.
    await createIndexes(client, p, generation);

    let applied = 0;
    let setAsideInTail = 0;
    // Switch: block the live projector's next batch, apply what arrived meanwhile, repoint views.
    await client.query('BEGIN');
    try {
      await client.query(
        'INSERT INTO projections (name, active_generation, definition_version) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING',
        [p.name, generation, p.definitionVersion],
      );
      await client.query('SELECT 1 FROM projections WHERE name = $1 FOR UPDATE', [p.name]);
      const from = await checkpoint(client, p.name, generation);
      const head = await deps.store.headSeq();
      let tailEvents = 0;
      if (head > from) {
        const { events: tail, unreadable } = await readRange(deps.store, from + 1, head);
        tailEvents = tail.length;
        // The new generation sets aside what it cannot apply, like the runner that built it.
        const setAside = [
          ...unreadable,
          ...(await applyIsolating(client, p, tail, physicalTables(p, generation))),
        ];
        await recordSetAside(client, p.name, generation, p.definitionVersion, setAside);
        setAsideInTail = setAside.length;
        for (const a of setAside) {
          deps.log.error(
            { projector: p.name, generation, seq: a.seq, index: a.index, type: a.type, error: a.error },
            'event set aside while rebuilding (see `tarka parked list`)',
          );
        }
        await client.query(
          'UPDATE projection_checkpoints SET position = $3, updated_at = now() WHERE name = $1 AND generation = $2',
          [p.name, generation, head],
        );
      }
      await client.query(
        'UPDATE projections SET active_generation = $2, definition_version = $3, switched_at = now() WHERE name = $1',
        [p.name, generation, p.definitionVersion],
      );
      await pointViews(client, p, generation);
      await client.query('COMMIT');
      applied = runner.eventsApplied + tailEvents;
      onProgress({ name: p.name, position: Math.max(head, from), target: Math.max(head, from) });
    } catch (e) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw e;
    }
    await dropOldGenerations(client, p, generation);
    const messages = await checkpoint(client, p.name, generation);
    const seconds = (performance.now() - started) / 1000;
    return {
      name: p.name,
      generation,
      messages,
      events: applied,
      setAside: runner.setAside + setAsideInTail,
      seconds,
      eventsPerSecond: applied / seconds,
    };
  } finally {
    client.release();
  }
}

async function readRange(
  store: EventStore,
  from: number,
  to: number,
): Promise<{ events: Recorded[]; unreadable: SetAside[] }> {
  const out: Recorded[] = [];
  const unreadable: SetAside[] = [];
  let reached: () => void;
  const done = new Promise<void>((r) => (reached = r));
  const sub = store.subscribe({
    fromSeq: from,
    onBatch: async (events) => {
      for (const e of events) if (e.seq <= to) out.push(e);
      if (events.some((e) => e.seq >= to)) reached();
    },
    onUnreadable: async (seq, error) => {
      if (seq <= to)
        unreadable.push({ seq, index: null, type: UNREADABLE, aggregate: null, ...describeError(error) });
      if (seq >= to) reached();
    },
  });
  await Promise.race([done, sub.done]);
  await sub.stop();
  return { events: out, unreadable };
}

async function dropOldGenerations(client: pg.ClientBase, p: Projection, keep: number): Promise<void> {
  const { rows } = await client.query<{ generation: number }>(
    'SELECT generation FROM projection_checkpoints WHERE name = $1 AND generation <> $2',
    [p.name, keep],
  );
  for (const { generation } of rows) {
    for (const table of Object.values(physicalTables(p, generation))) {
      await client.query(`DROP TABLE IF EXISTS ${pgLib.escapeIdentifier(table)} CASCADE`);
    }
    // The set-aside list belongs to a generation: the new one keeps its own.
    await client.query('DELETE FROM projection_set_aside WHERE projector = $1 AND generation = $2', [
      p.name,
      generation,
    ]);
    await client.query('DELETE FROM projection_checkpoints WHERE name = $1 AND generation = $2', [
      p.name,
      generation,
    ]);
  }
}
