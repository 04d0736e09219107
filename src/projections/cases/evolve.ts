import type { RecordedReport, RecordedScore } from '../../contract/report.js';
import type { Recorded } from '../../events/envelope.js';
import { caseIdOf } from '../../contract/case-id.js';
import type { CaseRow } from './schema.js';

const pick = (labels: Record<string, string>, ...keys: string[]) => {
  for (const k of keys) if (labels[k]) return labels[k]!;
  return null;
};

function statusOf(
  row: Pick<CaseRow, 'alert_status' | 'snoozed_until' | 'closed_category'>,
  at: string,
): CaseRow['status'] {
  if (row.closed_category !== null) return 'closed';
  if (row.snoozed_until !== null && Date.parse(row.snoozed_until) > Date.parse(at)) return 'snoozed';
  return row.alert_status;
}

const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const str = (v: unknown) => (typeof v === 'string' ? v : null);
/** Reports once wrote a score as `{ value }`. */
const score = (v: RecordedScore | undefined) => (typeof v === 'object' && v !== null ? (v.value ?? v) : v);

/** What a covered case says instead of its own report. */
export const coveredSummary = (d: { incidentId: string; coveredBy: { caseId: string } }) =>
  `Covered by incident ${d.incidentId}'s investigation of case ${d.coveredBy.caseId}`;

/** The case row's copy of a report's key fields (the latest version's, after a revision). */
function reportFields(next: CaseRow, r: RecordedReport): void {
  const scores = r.scores ?? {};
  const target = r.target ?? {};
  next.family = str(r.family);
  next.classification = str(r.classification);
  next.summary = str(r.summary);
  next.target = str(target.display) ?? str(target.name);
  next.impact = num(score(scores.impact));
  next.confidence = num(score(scores.confidence));
  next.noise = num(score(scores.noise));
}

/**
 * Applies one event to a case row (the caller skips events the stored row already includes).
 * Pure unless `inPlace`: a batch that owns its copy of a row may let it be changed in place, which
 * spares a copy of the row per event on the projector's hot path.
 */
export function evolveRow(row: CaseRow | null, recorded: Recorded, inPlace = false): CaseRow | null {
  const event = recorded;
  const at = recorded.occurredAt;
  let next: CaseRow | null;
  if (event.type === 'AlertFired') {
    const d = event.data;
    const base = {
      fingerprint: d.fingerprint,
      alertname: d.labels.alertname ?? '',
      severity: pick(d.labels, 'severity')?.toLowerCase() ?? null,
      cluster: pick(d.labels, 'cluster'),
      namespace: pick(d.labels, 'namespace', 'exported_namespace'),
      team: pick(d.labels, 'team', 'owner', 'squad'),
      labels: d.labels,
      annotations: d.annotations,
      alert_status: 'firing' as const,
      last_seen: d.startsAt,
      episode_count: d.episode,
      episode_started_at: d.startsAt,
      resolved_at: null,
      closed_category: null,
      closed_note: null,
    };
    next = row
      ? Object.assign(inPlace ? row : { ...row }, base)
      : {
          case_id: caseIdOf(recorded.aggregate),
          ...base,
          status: 'firing',
          first_seen: d.startsAt,
          snoozed_until: null,
          investigation_id: null,
          investigation_state: null,
          family: null,
          classification: null,
          summary: null,
          target: null,
          impact: null,
          confidence: null,
          noise: null,
          last_activity_at: at,
          last_event_type: event.type,
          last_seq: recorded.seq,
        };
  } else if (!row) {
    return null; // only AlertFired opens a case
  } else {
    next = inPlace ? row : { ...row };
    switch (event.type) {
      case 'AlertResolved':
        if (event.data.episode === row.episode_count) {
          next.alert_status = 'resolved';
          next.resolved_at = event.data.endsAt;
          next.last_seen = event.data.endsAt;
        }
        break;
      case 'InvestigationRequested':
        next.investigation_id = event.data.investigationId;
        next.investigation_state = 'queued';
        break;
      case 'InvestigationStarted':
        if (event.data.investigationId === row.investigation_id) next.investigation_state = 'running';
        break;
      case 'InvestigationCompleted': {
        if (event.data.investigationId !== row.investigation_id) break;
        next.investigation_state = 'completed';
        reportFields(next, event.data.report ?? {});
        break;
      }
      case 'ReportRevised':
        // A re-derived report (tarka reanalyze) of the current investigation replaces its fields.
        if (event.data.investigationId === row.investigation_id) reportFields(next, event.data.report);
        break;
      case 'InvestigationFailed':
        if (event.data.final && event.data.investigationId === row.investigation_id)
          next.investigation_state = 'failed';
        break;
      case 'InvestigationSkipped':
        if (event.data.investigationId !== row.investigation_id) break;
        next.investigation_state = 'covered';
        next.summary = coveredSummary(event.data);
        break;
      case 'CaseSnoozed':
        next.snoozed_until = event.data.until;
        break;
      case 'CaseResolved':
        next.closed_category = event.data.category;
        next.closed_note = event.data.note;
        next.snoozed_until = null;
        break;
      case 'CaseReopened':
        next.closed_category = null;
        next.closed_note = null;
        break;
      case 'InvestigationStepCompleted':
      case 'ChatMessagePosted':
        break;
    }
  }
  next.status = statusOf(next, at);
  // A re-derived report is not news about the alert: the inbox keeps its order.
  if (event.type !== 'ReportRevised') next.last_activity_at = at;
  next.last_event_type = event.type;
  next.last_seq = recorded.seq;
  return next;
}
