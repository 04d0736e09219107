import { sql, type DatabasePool } from 'slonik';
import { z } from 'zod';
import {
  incidentMemberViewSchema,
  incidentViewSchema,
  type IncidentDetail,
  type IncidentView,
} from '../../contract/incidents.js';

const incidentViewColumns = sql.fragment`
  incident_id AS "incidentId", key_kind AS "keyKind", key_value AS "keyValue",
  window_start AS "windowStart", first_alert_at AS "firstAlertAt", alertname, namespace,
  status, merged_into AS "mergedInto", member_count AS "memberCount", active_count AS "activeCount",
  reasons, chosen, opened_at AS "openedAt", updated_at AS "updatedAt", last_seq AS "lastSeq"`;

export async function listIncidents(
  pool: DatabasePool,
  q: { status?: 'open' | 'resolved' | 'merged'; minMembers: number; limit: number; offset: number },
): Promise<{ incidents: IncidentView[]; total: number }> {
  const where = [sql.fragment`member_count >= ${q.minMembers}`];
  if (q.status) where.push(sql.fragment`status = ${q.status}`);
  const filter = sql.join(where, sql.fragment` AND `);
  const [rows, total] = await Promise.all([
    pool.any(sql.type(incidentViewSchema)`
      SELECT ${incidentViewColumns} FROM incidents WHERE ${filter}
      ORDER BY updated_at DESC, incident_id LIMIT ${q.limit} OFFSET ${q.offset}`),
    pool.oneFirst(
      sql.type(z.object({ n: z.coerce.number() }))`SELECT count(*) AS n FROM incidents WHERE ${filter}`,
    ),
  ]);
  return { incidents: [...rows], total };
}

export async function getIncident(pool: DatabasePool, id: string): Promise<IncidentDetail | null> {
  const incident = await pool.maybeOne(
    sql.type(incidentViewSchema)`SELECT ${incidentViewColumns} FROM incidents WHERE incident_id = ${id}`,
  );
  if (!incident) return null;
  const members = await pool.any(sql.type(incidentMemberViewSchema)`
    SELECT m.case_id AS "caseId", m.alertname, m.reason_kind AS "reasonKind", m.reason_detail AS "reasonDetail",
      m.status, m.joined_at AS "joinedAt",
      m.split_by AS "splitBy", m.split_note AS "splitNote",
      c.investigation_state AS "investigationState", c.summary
    FROM incident_members m LEFT JOIN cases c ON c.case_id = m.case_id
    WHERE m.incident_id = ${id} ORDER BY m.joined_at, m.case_id LIMIT 2000`);
  return { incident, members: [...members] };
}

/** The incident each case is an active or resolved member of (the case view's incidentId). */
export async function incidentsOfCases(pool: DatabasePool, caseIds: string[]): Promise<Map<string, string>> {
  if (caseIds.length === 0) return new Map();
  const rows = await pool.any(sql.type(z.object({ caseId: z.string(), incidentId: z.string() }))`
    SELECT DISTINCT ON (case_id) case_id AS "caseId", incident_id AS "incidentId" FROM incident_members
    WHERE case_id = ANY(${sql.array(caseIds, 'text')}) AND status <> 'split'
    ORDER BY case_id, joined_at DESC`);
  return new Map(rows.map((r) => [r.caseId, r.incidentId]));
}
