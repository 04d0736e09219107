import type { Recorded } from '../../events/envelope.js';
import { incidentIdOf, isIncidentAggregate } from '../../contract/incident-id.js';
import type { IncidentRow, MemberRow } from './schema.js';

/** Rows of one batch, keyed by id; evolve changes them in place. */
export interface IncidentRows {
  incidents: Map<string, IncidentRow>;
  /** By member_id. */
  members: Map<string, MemberRow>;
  /**
   * `<incidentId>:<seq>` of messages applied in this batch: the events of one decision share a
   * seq (IncidentOpened and the opener's CaseJoinedIncident), and a stored row at that seq has
   * them all, while a row this batch built has only the ones before.
   */
  applied?: Set<string>;
}

const memberId = (incidentId: string, caseId: string) => `${incidentId}:${caseId}`;

/** Applies one incident event. Returns the keys it changed (`i:<id>` / `m:<memberId>`). */
export function evolveIncidentRows(rows: IncidentRows, e: Recorded): string[] {
  if (!isIncidentAggregate(e.aggregate)) return [];
  const id = incidentIdOf(e.aggregate);
  const inc = rows.incidents.get(id);
  rows.applied ??= new Set();
  const seen = (r: { last_seq: number } | undefined) =>
    r !== undefined && (r.last_seq > e.seq || (r.last_seq === e.seq && !rows.applied!.has(`${id}:${e.seq}`)));
  if (e.type === 'IncidentOpened') {
    if (seen(inc)) return [];
    rows.applied.add(`${id}:${e.seq}`);
    const d = e.data;
    rows.incidents.set(id, {
      incident_id: id,
      key_kind: d.key.kind,
      key_value: d.key.value,
      window_start: d.windowStart,
      first_alert_at: d.firstAlertAt,
      alertname: d.alertname,
      namespace: d.namespace,
      status: 'open',
      merged_into: null,
      member_count: 0,
      active_count: 0,
      reasons: {},
      chosen: {},
      opened_at: e.occurredAt,
      updated_at: e.occurredAt,
      last_seq: e.seq,
    });
    return [`i:${id}`];
  }
  if (!inc || seen(inc)) return [];
  rows.applied.add(`${id}:${e.seq}`);
  const changed = [`i:${id}`];
  const upsertMember = (caseId: string, alertname: string, kind: string, detail: string) => {
    const key = memberId(id, caseId);
    const m = rows.members.get(key);
    rows.members.set(key, {
      member_id: key,
      incident_id: id,
      case_id: caseId,
      alertname,
      reason_kind: kind,
      reason_detail: detail,
      status: 'active',
      joined_at: m?.joined_at ?? e.occurredAt,
      split_by: null,
      split_note: null,
      last_seq: e.seq,
    });
    changed.push(`m:${key}`);
  };
  const setStatus = (caseId: string, status: MemberRow['status'], extra: Partial<MemberRow> = {}) => {
    const key = memberId(id, caseId);
    const m = rows.members.get(key);
    if (!m) return;
    Object.assign(m, { status, last_seq: e.seq }, extra);
    changed.push(`m:${key}`);
  };
  switch (e.type) {
    case 'CaseJoinedIncident':
      upsertMember(e.data.caseId, e.data.alertname, e.data.reason.kind, e.data.reason.detail);
      if (inc.status === 'resolved') {
        inc.status = 'open';
        inc.chosen = {};
      }
      break;
    case 'IncidentInvestigationChosen':
      inc.chosen = {
        ...inc.chosen,
        [e.data.cause]: { caseId: e.data.caseId, investigationId: e.data.investigationId },
      };
      break;
    case 'CaseSplitFromIncident':
      setStatus(e.data.caseId, 'split', { split_by: e.data.by, split_note: e.data.note });
      break;
    case 'IncidentsMerged':
      if (e.data.into !== id) {
        inc.status = 'merged';
        inc.merged_into = e.data.into;
      } else {
        for (const m of e.data.members)
          upsertMember(
            m.caseId,
            m.alertname,
            'merged',
            `merged from ${m.from}${e.data.note ? `: ${e.data.note}` : ''}`,
          );
      }
      break;
    case 'IncidentMemberResolved':
      setStatus(e.data.caseId, 'resolved');
      break;
    case 'IncidentResolved':
      if (inc.status === 'open') inc.status = 'resolved';
      break;
    default:
      return [];
  }
  recount(rows, inc);
  inc.updated_at = e.occurredAt;
  inc.last_seq = e.seq;
  return changed;
}

/** Counts from the incident's member rows (the batch loaded all of them). */
function recount(rows: IncidentRows, inc: IncidentRow) {
  let members = 0;
  let active = 0;
  const reasons: Record<string, number> = {};
  for (const m of rows.members.values()) {
    if (m.incident_id !== inc.incident_id || m.status === 'split') continue;
    members++;
    if (m.status === 'active') active++;
    reasons[m.reason_kind] = (reasons[m.reason_kind] ?? 0) + 1;
  }
  inc.member_count = members;
  inc.active_count = active;
  inc.reasons = reasons;
}
