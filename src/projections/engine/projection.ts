import type pg from 'pg';
import type { CommonQueryMethods } from 'slonik';
import type { Frame } from '../../contract/frames.js';
import type { Recorded } from '../../events/envelope.js';

/** Physical table names of one generation, keyed by the read model's (view) name. */
export type Tables = Record<string, string>;

interface Fed {
  name: string;
  /** Bump when tables or the mapping from events to rows change: a `tarka replay` is then due. */
  definitionVersion: number;
}

/**
 * A read model fed from the event log. The runner calls apply inside the transaction that also
 * moves the checkpoint, so rows and checkpoint change together.
 */
export interface Projection extends Fed {
  /** DDL for each read-model table, given its physical name for a generation. */
  tables: Record<string, (table: string) => string>;
  /**
   * DDL of each table's secondary indexes (and of keys that only guard against duplicates). Kept
   * apart so a rebuild can load a fresh generation without maintaining them row by row, and
   * create them once before switching over.
   */
  indexes?: Record<string, (table: string) => string>;
  apply(tx: pg.ClientBase, events: Recorded[], tables: Tables): Promise<void>;
  /**
   * Deletes every row derived from these aggregates. With it, a set-aside event retried late is
   * applied by rebuilding its aggregates' rows from their histories in log order (see
   * set-aside-retry.ts), so the rows equal what an in-order apply (and a replay) gives.
   */
  forget?(tx: pg.ClientBase, aggregates: string[], tables: Tables): Promise<void>;
  /** What the console's live feed sends of this read model (src/live/changes.ts reads every one). */
  live?: LiveFeed;
}

/** A read model's part of the live feed. */
export interface LiveFeed {
  /**
   * Frames for the rows changed in (since, upTo], each stamped `upTo`, at most `limit` rows (else
   * `tooMany`, and the clients are told to refetch). Runs inside the feed's read-only snapshot.
   */
  read(
    tx: CommonQueryMethods,
    since: number,
    upTo: number,
    limit: number,
  ): Promise<{ frames: Frame[]; tooMany: boolean }>;
}

/**
 * An effect fed from the event log (a job queued, an object uploaded), with a checkpoint but no
 * tables. The runner calls react before it moves the checkpoint, outside any Postgres transaction,
 * so no transaction waits on another system; the checkpoint moves only after it resolved.
 */
export interface Reactor extends Fed {
  /**
   * Must be idempotent (a batch may run twice). `late` says the events are set-aside ones retried
   * after later events were handled.
   */
  react(events: Recorded[], options?: { late?: boolean }): Promise<void>;
}

/** What the runner drives from a checkpoint: a read model or a reactor. */
export type Projector = Projection | Reactor;

export const isReactor = (p: Projector): p is Reactor => 'react' in p;

export const physicalTables = (p: Projector, generation: number): Tables =>
  isReactor(p)
    ? {}
    : Object.fromEntries(Object.keys(p.tables).map((view) => [view, `${view}_g${generation}`]));
