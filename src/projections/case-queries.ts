import { sql, type DatabasePool } from 'slonik';
import { z } from 'zod';

export const caseListQuerySchema = z.object({
  status: z.enum(['firing', 'resolved', 'snoozed', 'closed', 'open']).optional(),
  severity: z.string().max(64).optional(),
  namespace: z.string().max(253).optional(),
  alertname: z.string().max(256).optional(),
  team: z.string().max(256).optional(),
  q: z.string().max(256).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
});
export type CaseListQuery = z.infer<typeof caseListQuerySchema>;

const caseSchema = z.object({
  caseId: z.string(),
  fingerprint: z.string(),
  status: z.string(),
  alertStatus: z.string(),
  alertname: z.string(),
  severity: z.string().nullable(),
  cluster: z.string().nullable(),
  namespace: z.string().nullable(),
  team: z.string().nullable(),
  labels: z.record(z.string(), z.string()),
  annotations: z.record(z.string(), z.string()),
  firstSeen: z.string(),
  lastSeen: z.string(),
  episodeCount: z.number(),
  episodeStartedAt: z.string(),
  resolvedAt: z.string().nullable(),
  snoozedUntil: z.string().nullable(),
  closedCategory: z.string().nullable(),
  closedNote: z.string().nullable(),
  investigationId: z.string().nullable(),
  investigationState: z.string().nullable(),
  family: z.string().nullable(),
  classification: z.string().nullable(),
  summary: z.string().nullable(),
  target: z.string().nullable(),
  impact: z.number().nullable(),
  confidence: z.number().nullable(),
  noise: z.number().nullable(),
  lastActivityAt: z.string(),
  lastEventType: z.string(),
  lastSeq: z.coerce.number(),
});
export type CaseView = z.infer<typeof caseSchema>;

// A snooze ends by the clock, not by an event: the effective status is computed at read time.
const effectiveStatus = sql.fragment`CASE WHEN status = 'snoozed' AND snoozed_until <= now() THEN alert_status ELSE status END`;

const columns = sql.fragment`
  case_id AS "caseId", fingerprint, ${effectiveStatus} AS status, alert_status AS "alertStatus", alertname,
  severity, cluster, namespace, team, labels, annotations, first_seen AS "firstSeen", last_seen AS "lastSeen",
  episode_count AS "episodeCount", episode_started_at AS "episodeStartedAt", resolved_at AS "resolvedAt",
  snoozed_until AS "snoozedUntil", closed_category AS "closedCategory", closed_note AS "closedNote",
  investigation_id AS "investigationId", investigation_state AS "investigationState", family, classification,
  summary, target, impact, confidence, noise, last_activity_at AS "lastActivityAt",
  last_event_type AS "lastEventType", last_seq AS "lastSeq"`;

const likeEscape = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);

export async function listCases(
  pool: DatabasePool,
  q: CaseListQuery,
): Promise<{ cases: CaseView[]; total: number }> {
  const where = [sql.fragment`TRUE`];
  if (q.status === 'open')
    where.push(sql.fragment`${effectiveStatus} <> 'closed' AND alert_status = 'firing'`);
  else if (q.status) where.push(sql.fragment`${effectiveStatus} = ${q.status}`);
  if (q.severity) where.push(sql.fragment`severity = ${q.severity.toLowerCase()}`);
  if (q.namespace) where.push(sql.fragment`namespace = ${q.namespace}`);
  if (q.alertname) where.push(sql.fragment`alertname = ${q.alertname}`);
  if (q.team) where.push(sql.fragment`team = ${q.team}`);
  if (q.q) {
    const like = `%${likeEscape(q.q)}%`;
    where.push(sql.fragment`(alertname ILIKE ${like} OR namespace ILIKE ${like} OR case_id ILIKE ${like}
      OR summary ILIKE ${like} OR labels::text ILIKE ${like} OR annotations::text ILIKE ${like})`);
  }
  const filter = sql.join(where, sql.fragment` AND `);
  const [rows, total] = await Promise.all([
    pool.any(sql.type(caseSchema)`
      SELECT ${columns} FROM cases WHERE ${filter}
      ORDER BY last_activity_at DESC, case_id LIMIT ${q.limit} OFFSET ${q.offset}`),
    pool.oneFirst(
      sql.type(z.object({ n: z.coerce.number() }))`SELECT count(*) AS n FROM cases WHERE ${filter}`,
    ),
  ]);
  return { cases: [...rows], total };
}

export async function getCase(pool: DatabasePool, caseId: string): Promise<CaseView | null> {
  return pool.maybeOne(sql.type(caseSchema)`SELECT ${columns} FROM cases WHERE case_id = ${caseId}`);
}

const stepSchema = z.object({
  step: z.string(),
  attempt: z.number(),
  status: z.string(),
  startedAt: z.string(),
  durationMs: z.number(),
  summary: z.string(),
  detail: z.unknown(),
  seq: z.number(),
});

const investigationSchema = z.object({
  investigationId: z.string(),
  episode: z.number(),
  reason: z.string(),
  state: z.string(),
  requestedBy: z.string().nullable(),
  requestedAt: z.string(),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
  attempts: z.number(),
  error: z.string().nullable(),
  family: z.string().nullable(),
  classification: z.string().nullable(),
  summary: z.string().nullable(),
  lastSeq: z.number(),
  steps: z.array(stepSchema),
});
export type InvestigationView = z.infer<typeof investigationSchema>;

/** A case's investigations, newest first, each with its steps in the order they finished. */
export async function getInvestigations(pool: DatabasePool, caseId: string): Promise<InvestigationView[]> {
  const rows = await pool.any(sql.type(investigationSchema)`
    SELECT i.investigation_id AS "investigationId", i.episode, i.reason, i.state, i.requested_by AS "requestedBy",
      i.requested_at AS "requestedAt", i.started_at AS "startedAt", i.finished_at AS "finishedAt", i.attempts,
      i.error, i.family, i.classification, i.summary, i.last_seq AS "lastSeq",
      COALESCE((SELECT json_agg(json_build_object(
          'step', s.step, 'attempt', s.attempt, 'status', s.status, 'startedAt', s.started_at,
          'durationMs', s.duration_ms, 'summary', s.summary, 'detail', s.detail, 'seq', s.seq)
        ORDER BY s.seq, s.idx)
        FROM investigation_steps s WHERE s.investigation_id = i.investigation_id), '[]'::json) AS steps
    FROM investigations i WHERE i.case_id = ${caseId}
    ORDER BY i.requested_at DESC, i.investigation_id LIMIT 20`);
  return [...rows];
}
