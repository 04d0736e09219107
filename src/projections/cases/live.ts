import { sql } from 'slonik';
import { caseViewSchema } from '../../contract/views.js';
import { liveInvestigationSchema, liveStepSchema, type Frame } from '../../contract/frames.js';
import type { LiveFeed } from '../engine/projection.js';
import { caseViewColumns } from './queries.js';

/** Cases, investigations and steps changed in (since, upTo], in that order. */
export const casesLive: LiveFeed = {
  async read(tx, since, upTo, limit) {
    const cap = limit + 1;
    const cases = await tx.any(sql.type(caseViewSchema)`
      SELECT ${caseViewColumns} FROM cases WHERE last_seq > ${since} AND last_seq <= ${upTo}
      ORDER BY last_seq LIMIT ${cap}`);
    if (cases.length > limit) return { frames: [], tooMany: true };
    const investigations = await tx.any(sql.type(liveInvestigationSchema)`
      SELECT investigation_id AS "investigationId", case_id AS "caseId", episode, reason, state,
        requested_by AS "requestedBy", requested_at AS "requestedAt", started_at AS "startedAt",
        finished_at AS "finishedAt", attempts, error, family, classification, summary, last_seq AS "lastSeq"
      FROM investigations WHERE last_seq > ${since} AND last_seq <= ${upTo}
      ORDER BY last_seq LIMIT ${cap - cases.length}`);
    if (cases.length + investigations.length > limit) return { frames: [], tooMany: true };
    const steps = await tx.any(sql.type(liveStepSchema)`
      SELECT case_id AS "caseId", investigation_id AS "investigationId", step, attempt, status,
        started_at AS "startedAt", duration_ms AS "durationMs", summary, detail, seq
      FROM investigation_steps WHERE seq > ${since} AND seq <= ${upTo} ORDER BY seq, idx
      LIMIT ${cap - cases.length - investigations.length}`);
    if (cases.length + investigations.length + steps.length > limit) return { frames: [], tooMany: true };
    const seq = upTo;
    const frames: Frame[] = [
      ...cases.map((c): Frame => ({ type: 'case', seq, case: c })),
      ...investigations.map(({ caseId, ...investigation }): Frame => ({
        type: 'investigation',
        seq,
        caseId,
        investigation,
      })),
      ...steps.map(({ caseId, investigationId, ...step }): Frame => ({
        type: 'step',
        seq,
        caseId,
        investigationId,
        step,
      })),
    ];
    return { frames, tooMany: false };
  },
};
