import { sql, type CommonQueryMethods, type DatabasePool } from 'slonik';
import { z } from 'zod';
import { caseViewSchema, type CaseView } from '../../contract/views.js';
import {
  liveInvestigationSchema,
  liveStepSchema,
  type LiveInvestigation,
  type LiveStep,
} from '../../contract/frames.js';
import { caseViewColumns } from './queries.js';

// What changed in the read models after a given stream sequence, read in one snapshot together
// with the projector's checkpoint, so the rows reflect exactly the sequence they are sent with.

export interface Changes {
  /** The cases projector's committed position these rows reflect. */
  seq: number;
  cases: CaseView[];
  investigations: LiveInvestigation[];
  steps: LiveStep[];
  /** More than `limit` rows changed: the reader should start over instead (a reset). */
  tooMany: boolean;
}

const position = z.object({ position: z.coerce.number() });

/** The cases projector's committed position (0 before its first batch). */
export async function projectedPosition(pool: CommonQueryMethods): Promise<number> {
  const p = await pool.maybeOneFirst(sql.type(position)`
    SELECT c.position FROM projection_checkpoints c
    JOIN projections p ON p.name = c.name AND p.active_generation = c.generation
    WHERE c.name = 'cases'`);
  return p ?? 0;
}

/** Rows of cases, investigations and steps whose sequence is above `since`, at most `limit` in all. */
export async function readChanges(pool: DatabasePool, since: number, limit: number): Promise<Changes> {
  return pool.transaction(async (tx) => {
    // One snapshot for the checkpoint and every row: the projector commits both together.
    await tx.query(sql.unsafe`SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY`);
    const seq = await projectedPosition(tx);
    const empty = { seq, cases: [], investigations: [], steps: [], tooMany: false };
    if (seq <= since) return empty;
    const cap = limit + 1;
    const cases = await tx.any(sql.type(caseViewSchema)`
      SELECT ${caseViewColumns} FROM cases WHERE last_seq > ${since} ORDER BY last_seq LIMIT ${cap}`);
    if (cases.length > limit) return { ...empty, tooMany: true };
    const investigations = await tx.any(sql.type(liveInvestigationSchema)`
      SELECT investigation_id AS "investigationId", case_id AS "caseId", episode, reason, state,
        requested_by AS "requestedBy", requested_at AS "requestedAt", started_at AS "startedAt",
        finished_at AS "finishedAt", attempts, error, family, classification, summary, last_seq AS "lastSeq"
      FROM investigations WHERE last_seq > ${since} ORDER BY last_seq LIMIT ${cap - cases.length}`);
    if (cases.length + investigations.length > limit) return { ...empty, tooMany: true };
    const steps = await tx.any(sql.type(liveStepSchema)`
      SELECT case_id AS "caseId", investigation_id AS "investigationId", step, attempt, status,
        started_at AS "startedAt", duration_ms AS "durationMs", summary, detail, seq
      FROM investigation_steps WHERE seq > ${since} ORDER BY seq, idx
      LIMIT ${cap - cases.length - investigations.length}`);
    if (cases.length + investigations.length + steps.length > limit) return { ...empty, tooMany: true };
    return { seq, cases: [...cases], investigations: [...investigations], steps: [...steps], tooMany: false };
  });
}
