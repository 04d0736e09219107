import { sql, type DatabasePool } from 'slonik';
import { z } from 'zod';
import {
  caseViewSchema,
  investigationWithStepsSchema,
  type CaseListQuery,
  type CaseView,
  type InvestigationView,
} from '../../contract/views.js';
import { parseSearch, regexEscape } from './search.js';

// A snooze ends by the clock, not by an event: the effective status is computed at read time.
export const effectiveStatus = sql.fragment`CASE WHEN status = 'snoozed' AND snoozed_until <= now() THEN alert_status ELSE status END`;

export const caseViewColumns = sql.fragment`
  case_id AS "caseId", fingerprint, ${effectiveStatus} AS status, alert_status AS "alertStatus", alertname,
  severity, cluster, namespace, team, labels, annotations, first_seen AS "firstSeen", last_seen AS "lastSeen",
  episode_count AS "episodeCount", episode_started_at AS "episodeStartedAt", resolved_at AS "resolvedAt",
  snoozed_until AS "snoozedUntil", closed_category AS "closedCategory", closed_note AS "closedNote",
  investigation_id AS "investigationId", investigation_state AS "investigationState", family, classification,
  summary, target, impact, confidence, noise, last_activity_at AS "lastActivityAt",
  last_event_type AS "lastEventType", last_seq AS "lastSeq"`;

const likeEscape = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);

const anyOf = (values: string[], one: (v: string) => ReturnType<typeof sql.fragment>) =>
  sql.fragment`(${sql.join(values.map(one), sql.fragment` OR `)})`;

// A workload or service name as a whole word of the report's target ("Deployment shop/api").
const inTarget = (v: string) => `(^|[ /(])${regexEscape(v)}($|[ )])`;

/** The search box: tokens become column and label filters, the rest a substring search. */
function searchFilters(q: string | undefined) {
  const s = parseSearch(q);
  const out: ReturnType<typeof sql.fragment>[] = [];
  const k = s.keys;
  if (k.ns) out.push(anyOf(k.ns, (v) => sql.fragment`namespace = ${v}`));
  if (k.cluster) out.push(anyOf(k.cluster, (v) => sql.fragment`cluster = ${v}`));
  if (k.team) out.push(anyOf(k.team, (v) => sql.fragment`team = ${v}`));
  if (k.severity) out.push(anyOf(k.severity, (v) => sql.fragment`severity = ${v.toLowerCase()}`));
  if (k.alert) out.push(anyOf(k.alert, (v) => sql.fragment`alertname ILIKE ${`%${likeEscape(v)}%`}`));
  // Pod names carry generated suffixes, so a pod matches by prefix.
  if (k.pod) out.push(anyOf(k.pod, (v) => sql.fragment`labels->>'pod' LIKE ${`${likeEscape(v)}%`}`));
  if (k.deploy)
    out.push(
      anyOf(
        k.deploy,
        (v) => sql.fragment`(labels->>'deployment' = ${v} OR labels->>'statefulset' = ${v}
          OR labels->>'daemonset' = ${v} OR labels->>'pod' LIKE ${`${likeEscape(v)}-%`}
          OR target ~ ${inTarget(v)})`,
      ),
    );
  if (k.svc)
    out.push(
      anyOf(
        k.svc,
        (v) => sql.fragment`(labels->>'service' = ${v} OR labels->>'svc' = ${v} OR target ~ ${inTarget(v)})`,
      ),
    );
  for (const [label, values] of Object.entries(s.labels))
    out.push(anyOf(values, (v) => sql.fragment`labels->>${label} = ${v}`));
  if (s.text) {
    const like = `%${likeEscape(s.text)}%`;
    out.push(sql.fragment`(alertname ILIKE ${like} OR namespace ILIKE ${like} OR case_id ILIKE ${like}
      OR summary ILIKE ${like} OR labels::text ILIKE ${like} OR annotations::text ILIKE ${like})`);
  }
  return out;
}

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
  if (q.classification) where.push(sql.fragment`classification = ${q.classification}`);
  if (q.family) where.push(sql.fragment`family = ${q.family}`);
  if (q.cluster) where.push(sql.fragment`cluster = ${q.cluster}`);
  where.push(...searchFilters(q.q));
  const filter = sql.join(where, sql.fragment` AND `);
  const [rows, total] = await Promise.all([
    pool.any(sql.type(caseViewSchema)`
      SELECT ${caseViewColumns} FROM cases WHERE ${filter}
      ORDER BY last_activity_at DESC, case_id LIMIT ${q.limit} OFFSET ${q.offset}`),
    pool.oneFirst(
      sql.type(z.object({ n: z.coerce.number() }))`SELECT count(*) AS n FROM cases WHERE ${filter}`,
    ),
  ]);
  return { cases: [...rows], total };
}

export async function getCase(pool: DatabasePool, caseId: string): Promise<CaseView | null> {
  return pool.maybeOne(
    sql.type(caseViewSchema)`SELECT ${caseViewColumns} FROM cases WHERE case_id = ${caseId}`,
  );
}

/** A case's investigations, newest first, each with its steps in the order they finished. */
export async function getInvestigations(pool: DatabasePool, caseId: string): Promise<InvestigationView[]> {
  const rows = await pool.any(sql.type(investigationWithStepsSchema)`
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
