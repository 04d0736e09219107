import { sql, type CommonQueryMethods, type DatabasePool } from 'slonik';
import { z } from 'zod';
import type { Frame } from '../contract/frames.js';
import { readModels } from '../projections/registry.js';

// What the live feed sends: the changes of every read model that has a live part (see
// `Projection.live`), read in one snapshot with their projectors' checkpoints. Each read model has
// its own projector, so the feed's position is the lowest of their committed positions: a client
// told "everything up to seq" has every row of each up to there, and rows are sent once their
// sequence is at or below it.

const feeds = readModels.flatMap((p) => (p.live ? [{ name: p.name, live: p.live }] : []));

/** Read models whose commits move the feed (the gateway listens for their notifications). */
export const liveReadModels: ReadonlySet<string> = new Set(feeds.map((f) => f.name));

export interface Changes {
  /** The position these frames reflect. */
  seq: number;
  frames: Frame[];
  /** More than `limit` rows changed: the reader should start over instead (a reset). */
  tooMany: boolean;
}

const positions = z.object({ name: z.string(), position: z.coerce.number() });

/** The feed's position: the lowest committed position of the live read models (0 before any). */
export async function projectedPosition(pool: CommonQueryMethods): Promise<number> {
  const rows = await pool.any(sql.type(positions)`
    SELECT c.name, c.position FROM projection_checkpoints c
    JOIN projections p ON p.name = c.name AND p.active_generation = c.generation
    WHERE c.name = ANY(${sql.array([...liveReadModels], 'text')})`);
  // A read model not built yet (no checkpoint row) holds the feed at 0 until its first batch.
  return rows.length < feeds.length ? 0 : Math.min(...rows.map((r) => r.position));
}

/** Frames for the rows changed above `since`, at most `limit` rows in all. */
export async function readChanges(pool: DatabasePool, since: number, limit: number): Promise<Changes> {
  return pool.transaction(async (tx) => {
    // One snapshot for the checkpoints and every row: each projector commits both together.
    await tx.query(sql.unsafe`SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY`);
    const seq = await projectedPosition(tx);
    const out: Changes = { seq, frames: [], tooMany: false };
    if (seq <= since) return out;
    for (const f of feeds) {
      const part = await f.live.read(tx, since, seq, limit - out.frames.length);
      if (part.tooMany) return { seq, frames: [], tooMany: true };
      out.frames.push(...part.frames);
    }
    return out;
  });
}

/** The websocket messages for a batch of changes, serialised once and shared by every socket. */
export function messagesOf(changes: Changes): string[] {
  const sync: Frame = { type: 'sync', seq: changes.seq };
  return [...changes.frames, sync].map((f) => JSON.stringify(f));
}
