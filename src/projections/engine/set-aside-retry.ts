import type pg from 'pg';
import type { EventStore } from '../../events/event-store.js';
import type { Recorded } from '../../events/envelope.js';
import type { Logger } from '../../shared/log.js';
import { StoreUnavailable, TarkaError } from '../../shared/errors.js';
import { checkout } from '../../db/postgres.js';
import { isReactor, physicalTables, type Projector } from './projection.js';
import { reactIsolating, setAsideOf } from './isolate.js';
import {
  describeError,
  isAboutTheData,
  listSetAside,
  recordSetAside,
  removeSetAside,
  UNREADABLE,
  type SetAside,
  type SetAsideFilter,
  type SetAsideRow,
} from './set-aside.js';

export interface RetryResult {
  /** Applied now, and no longer set aside. */
  fixed: SetAsideRow[];
  /** Still failing: kept set aside, with the error of this attempt. */
  failing: (SetAsideRow & { now: string })[];
}

/**
 * Re-applies set-aside messages of one projector generation, oldest first; removes each that
 * applies, records the new error of each that does not.
 *
 * What a late event means: the result must be the read model an in-order apply would have
 * built, so a replay gives the same rows. Rows carry the sequence that last changed them, and
 * later events of the same aggregate may have moved them past the set-aside one; applying it on
 * top would either be skipped by the seq guard or fold it out of order. So a projection with
 * `forget` rebuilds the rows of the message's aggregates from their histories (up to the
 * checkpoint, without the messages still set aside), in log order. Reactors have no rows: the
 * effect simply happens late (a job is queued; a report is written unless a newer one is there).
 *
 * Serialised with the live projector by the checkpoint row's lock, which the projector takes
 * first in each batch: the two never interleave on the same rows.
 */
export async function retrySetAside(
  deps: { pool: pg.Pool; store: EventStore; log: Logger },
  p: Projector,
  generation: number,
  filter: Pick<SetAsideFilter, 'seq' | 'olderThan'> = {},
): Promise<RetryResult> {
  const result: RetryResult = { fixed: [], failing: [] };
  const entries = await listSetAside(deps.pool, { ...filter, projector: p.name, generation });
  if (entries.length === 0) return result;
  const tables = physicalTables(p, generation);
  const client = await checkout(deps.pool);
  try {
    for (const entry of entries) {
      const failure = await retryOne(deps.store, client, p, generation, tables, entry);
      if (failure) {
        await recordSetAside(client, p.name, generation, p.definitionVersion, [failure]);
        result.failing.push({ ...entry, now: failure.error });
      } else {
        result.fixed.push(entry);
        deps.log.info({ projector: p.name, generation, seq: entry.seq }, 'set-aside event applied on retry');
      }
    }
  } finally {
    client.release();
  }
  return result;
}

/** Retries one message: undefined once applied (and removed), else what to record. */
async function retryOne(
  store: EventStore,
  client: pg.ClientBase,
  p: Projector,
  generation: number,
  tables: Record<string, string>,
  entry: SetAsideRow,
): Promise<SetAside | undefined> {
  let message: Recorded[];
  try {
    message = await readMessage(store, entry.seq);
  } catch (e) {
    if (!isAboutTheData(e)) throw e;
    return { ...entry, index: null, type: UNREADABLE, ...describeError(e) };
  }
  if (isReactor(p)) {
    const reacted = await reactIsolating(p, message, { late: true });
    if (reacted.length === 0) await removeSetAside(client, p.name, generation, entry.seq);
    return reacted[0];
  }
  await client.query('BEGIN');
  try {
    const { rows } = await client.query<{ position: string }>(
      'SELECT position FROM projection_checkpoints WHERE name = $1 AND generation = $2 FOR UPDATE',
      [p.name, generation],
    );
    const position = Number(rows[0]?.position ?? 0);
    let failure: SetAside | undefined;
    await client.query('SAVEPOINT tarka_retry');
    try {
      if (p.forget) {
        const aggregates = [...new Set(message.map((e) => e.aggregate))];
        const others = new Set(
          (await listSetAside(client, { projector: p.name, generation }))
            .map((r) => r.seq)
            .filter((s) => s !== entry.seq),
        );
        const history: Recorded[] = [];
        for (const a of aggregates) {
          const { events } = await store.readAggregate(a);
          history.push(...events.filter((e) => e.seq <= position && !others.has(e.seq)));
        }
        history.sort((x, y) => x.seq - y.seq || x.index - y.index);
        await p.forget(client, aggregates, tables);
        await p.apply(client, history, tables);
      } else {
        await p.apply(client, message, tables);
      }
      await client.query('RELEASE SAVEPOINT tarka_retry');
      await removeSetAside(client, p.name, generation, entry.seq);
    } catch (e) {
      await client.query('ROLLBACK TO SAVEPOINT tarka_retry');
      if (!isAboutTheData(e)) throw e;
      failure = setAsideOf(message, e, null);
    }
    await client.query('COMMIT');
    return failure;
  } catch (e) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw e;
  }
}

/** The events of the message at seq; throws TARKA_EVENT_UNREADABLE when it cannot be decoded. */
export async function readMessage(store: EventStore, seq: number, timeoutMs = 10_000): Promise<Recorded[]> {
  let settle!: { resolve: (e: Recorded[]) => void; reject: (e: unknown) => void };
  const got = new Promise<Recorded[]>((resolve, reject) => (settle = { resolve, reject }));
  const sub = store.subscribe({
    fromSeq: seq,
    batchSize: 1,
    onBatch: async (events) => settle.resolve(events.filter((e) => e.seq === seq)),
    onUnreadable: async (at, error) => {
      if (at === seq) settle.reject(error);
    },
  });
  const timer = setTimeout(
    () => settle.reject(new StoreUnavailable(`message ${seq} was not delivered within ${timeoutMs} ms`)),
    timeoutMs,
  );
  try {
    // The reader ending on its own is the event store failing, not the message.
    const ended = sub.done.then(
      () => got,
      (e: unknown) => {
        throw e instanceof TarkaError
          ? e
          : new StoreUnavailable(`reading message ${seq} failed`, { cause: e });
      },
    );
    return await Promise.race([got, ended]);
  } finally {
    clearTimeout(timer);
    await sub.stop();
  }
}
