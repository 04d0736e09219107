import type pg from 'pg';
import { TarkaError } from '../../shared/errors.js';
import { storableJson } from './table-rows.js';
import { tarkaVersion } from '../../shared/version.js';

// Events a projector could not apply are set aside here, one row per stream message (the events
// of one decision stay together, as they were committed), per projector and generation, so the
// events behind them keep flowing. `tarka parked` lists and retries them; a projector retries
// the ones an older Tarka or read-model definition failed on when it starts.

/** What a projector records about a message it set aside. Never the payload: it may hold secrets. */
export interface SetAside {
  seq: number;
  /** Index of the event at fault inside its message, when it could be told apart. */
  index: number | null;
  /** Event type(s) of the message, or `(unreadable)` when it could not be decoded. */
  type: string;
  aggregate: string | null;
  error: string;
  code: string | null;
}

export interface SetAsideRow extends SetAside {
  projector: string;
  generation: number;
  firstSeen: string;
  lastSeen: string;
  attempts: number;
  tarkaVersion: string;
  definitionVersion: number;
}

export const UNREADABLE = '(unreadable)';

const MAX_ERROR = 500;

/** A bounded, single-line description of an error (its message only: no stack, no payload). */
export function describeError(e: unknown): { error: string; code: string | null } {
  const err = e as { message?: unknown; code?: unknown };
  const raw = typeof err?.message === 'string' ? err.message : String(e);
  let oneLine = raw.replace(/\s+/g, ' ').trim();
  // Postgres quotes the offending input in some messages (`value "…" is out of range`, `invalid
  // input syntax for type …: "…"`): that is event data, so only numbers are kept.
  if (typeof err?.code === 'string' && /^[0-9A-Z]{5}$/.test(err.code)) {
    oneLine = oneLine.replace(/(value |: )"([^"]*)"/g, (m, lead: string, v: string) =>
      /^-?[0-9.e+]+$/i.test(v) ? m : `${lead}"[redacted]"`,
    );
  }
  return {
    error: oneLine.length > MAX_ERROR ? `${oneLine.slice(0, MAX_ERROR - 1)}…` : oneLine,
    code: typeof err?.code === 'string' ? err.code : null,
  };
}

// Postgres error classes that are about the values written: data exceptions (22: bad encoding,
// NUL in text, out of range) and integrity violations (23). Anything else Postgres says (lost
// connection, lock, shutdown, missing table, permissions) is about the system, not the event.
const DATA_CLASSES = new Set(['22', '23']);

/**
 * True when a failure is about the event itself, so setting it aside is right. Outages and
 * errors of our own system (the event store, Postgres down or misconfigured, a network error)
 * are not: those keep the projector retrying from its checkpoint, as nothing is wrong with data.
 */
export function isAboutTheData(e: unknown): boolean {
  if (e instanceof TarkaError) return e.code === 'TARKA_EVENT_UNREADABLE' || e.code === 'TARKA_BAD_REQUEST';
  const err = e as { code?: unknown; severity?: unknown; name?: unknown } | null;
  if (typeof err !== 'object' || err === null) return true;
  const code = err.code;
  // pg's DatabaseError carries a five-character SQLSTATE and a severity.
  if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) && typeof err.severity === 'string') {
    return DATA_CLASSES.has(code.slice(0, 2));
  }
  // Node system errors (ECONNRESET, ETIMEDOUT, EPIPE…), AWS SDK/HTTP timeouts and aborts.
  if (typeof code === 'string' && /^E[A-Z_]+$/.test(code)) return false;
  if (err.name === 'AbortError' || err.name === 'TimeoutError' || err.name === 'NatsError') return false;
  return true;
}

/** Records (or counts again) messages set aside, in the caller's transaction. */
export async function recordSetAside(
  tx: pg.ClientBase,
  projector: string,
  generation: number,
  definitionVersion: number,
  items: readonly SetAside[],
): Promise<void> {
  if (items.length === 0) return;
  await tx.query(
    `INSERT INTO projection_set_aside AS s
       (projector, generation, seq, event_index, event_type, aggregate, error, error_code,
        tarka_version, definition_version)
     SELECT $1, $2, r.seq, r.idx, r.type, r.aggregate, r.error, r.code, $3, $4
     FROM json_to_recordset($5::json) AS r(seq bigint, idx int, type text, aggregate text, error text, code text)
     ON CONFLICT (projector, generation, seq) DO UPDATE SET
       event_index = EXCLUDED.event_index, event_type = EXCLUDED.event_type,
       aggregate = EXCLUDED.aggregate, error = EXCLUDED.error, error_code = EXCLUDED.error_code,
       tarka_version = EXCLUDED.tarka_version, definition_version = EXCLUDED.definition_version,
       last_seen = now(), attempts = s.attempts + 1`,
    [
      projector,
      generation,
      tarkaVersion,
      definitionVersion,
      // Text Postgres cannot store (NUL, lone surrogates) must not make the record itself fail.
      storableJson(JSON.stringify(items.map((i) => ({ ...i, idx: i.index })))),
    ],
  );
}

export async function removeSetAside(
  tx: pg.ClientBase,
  projector: string,
  generation: number,
  seq: number,
): Promise<void> {
  await tx.query('DELETE FROM projection_set_aside WHERE projector = $1 AND generation = $2 AND seq = $3', [
    projector,
    generation,
    seq,
  ]);
}

export interface SetAsideFilter {
  projector?: string | undefined;
  generation?: number | undefined;
  seq?: number | undefined;
  /** Only those recorded by another Tarka version or read-model definition than these. */
  olderThan?: { tarkaVersion: string; definitionVersion: number } | undefined;
}

/**
 * Set-aside messages of the active generation of each projector (or of the generation named),
 * oldest first.
 */
export async function listSetAside(
  db: pg.ClientBase | pg.Pool,
  f: SetAsideFilter = {},
): Promise<SetAsideRow[]> {
  const where: string[] = [];
  const args: unknown[] = [];
  const arg = (v: unknown) => {
    args.push(v);
    return `$${args.length}`;
  };
  if (f.projector !== undefined) where.push(`s.projector = ${arg(f.projector)}`);
  if (f.generation !== undefined) where.push(`s.generation = ${arg(f.generation)}`);
  else
    where.push(
      `s.generation = COALESCE((SELECT active_generation FROM projections p WHERE p.name = s.projector), 1)`,
    );
  if (f.seq !== undefined) where.push(`s.seq = ${arg(f.seq)}`);
  if (f.olderThan) {
    where.push(
      `(s.tarka_version <> ${arg(f.olderThan.tarkaVersion)} OR s.definition_version <> ${arg(f.olderThan.definitionVersion)})`,
    );
  }
  const { rows } = await db.query<{
    projector: string;
    generation: number;
    seq: string;
    event_index: number | null;
    event_type: string;
    aggregate: string | null;
    error: string;
    error_code: string | null;
    first_seen: Date;
    last_seen: Date;
    attempts: number;
    tarka_version: string;
    definition_version: number;
  }>(
    `SELECT s.* FROM projection_set_aside s ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
     ORDER BY s.projector, s.seq`,
    args,
  );
  return rows.map((r) => ({
    projector: r.projector,
    generation: r.generation,
    seq: Number(r.seq),
    index: r.event_index,
    type: r.event_type,
    aggregate: r.aggregate,
    error: r.error,
    code: r.error_code,
    firstSeen: r.first_seen.toISOString(),
    lastSeen: r.last_seen.toISOString(),
    attempts: r.attempts,
    tarkaVersion: r.tarka_version,
    definitionVersion: r.definition_version,
  }));
}
