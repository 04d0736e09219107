import type { CaseEvent } from '../../events/case-events.js';
import type { Recorded } from '../../events/envelope.js';
import { caseIdOf, isCaseAggregate } from '../../contract/case-id.js';
import { featuresFromLabels, featuresFromReport, type MemoryFeatures } from './features.js';
import { episodeKey, type MemoryRow } from './schema.js';

/**
 * What the fold over the log needs: the rows it may touch, and the sequence each stored row was
 * last changed at (a row is never changed again by an event it already includes).
 */
export interface MemoryState {
  rows: Map<string, MemoryRow>;
  /** The same rows by case, so an event finds its case's rows without a scan. */
  byCase: Map<string, MemoryRow[]>;
  /** Stored rows' last_seq as read before the batch; rows made in the batch are not in it. */
  stored: Map<string, number>;
}

export const emptyMemoryState = (): MemoryState => ({
  rows: new Map(),
  byCase: new Map(),
  stored: new Map(),
});

/** Adds a row (stored or new) to the state. */
export function addRow(state: MemoryState, row: MemoryRow): void {
  state.rows.set(row.episode_key, row);
  const list = state.byCase.get(row.case_id);
  if (list) list.push(row);
  else state.byCase.set(row.case_id, [row]);
}

/** The case's newest episode row among those in the state. */
function latestOf(state: MemoryState, caseId: string): MemoryRow | undefined {
  let best: MemoryRow | undefined;
  for (const r of state.byCase.get(caseId) ?? []) if (!best || r.episode > best.episode) best = r;
  return best;
}

const featuresOf = (r: MemoryRow): MemoryFeatures => ({
  alertname: r.alertname,
  cluster: r.cluster,
  namespace: r.namespace,
  workloadKey: r.workload_key,
  serviceKey: r.service_key,
  family: r.family,
  familyDetail: r.family_detail,
  targetKind: r.target_kind,
  target: r.target,
  signatures: r.signatures,
  logText: r.log_text,
  changePattern: r.change_pattern as MemoryFeatures['changePattern'],
  summary: r.summary,
});

function withFeatures(r: MemoryRow, f: MemoryFeatures): void {
  r.alertname = f.alertname;
  r.cluster = f.cluster;
  r.namespace = f.namespace;
  r.workload_key = f.workloadKey;
  r.service_key = f.serviceKey;
  r.family = f.family;
  r.family_detail = f.familyDetail;
  r.target_kind = f.targetKind;
  r.target = f.target;
  r.signatures = f.signatures;
  r.log_text = f.logText;
  r.change_pattern = f.changePattern;
  r.summary = f.summary;
}

/**
 * Applies one event to the memory rows of its case; returns the keys of the rows it changed.
 * Changes rows of the state in place (the caller owns them for the batch).
 */
export function evolveMemory(state: MemoryState, recorded: Recorded): string[] {
  if (!isCaseAggregate(recorded.aggregate)) return [];
  const caseId = caseIdOf(recorded.aggregate);
  const event = { type: recorded.type, data: recorded.data } as CaseEvent;
  // A row changes only with events after those it already includes.
  const fresh = (r: MemoryRow | undefined): r is MemoryRow =>
    r !== undefined && recorded.seq > (state.stored.get(r.episode_key) ?? 0);
  const changed = (r: MemoryRow) => {
    r.last_seq = recorded.seq;
    return [r.episode_key];
  };

  switch (event.type) {
    case 'AlertFired': {
      const d = event.data;
      const key = episodeKey(caseId, d.episode);
      const existing = state.rows.get(key);
      if (existing) {
        if (!fresh(existing)) return [];
        withFeatures(existing, { ...featuresOf(existing), ...pickLabelFeatures(d.labels, existing) });
        return changed(existing);
      }
      const out: string[] = [];
      const previous = latestOf(state, caseId);
      if (previous && previous.episode < d.episode && previous.fired_again_at === null && fresh(previous)) {
        previous.fired_again_at = d.startsAt;
        out.push(...changed(previous));
      }
      const row: MemoryRow = {
        episode_key: key,
        case_id: caseId,
        episode: d.episode,
        alertname: '',
        cluster: null,
        namespace: null,
        workload_key: null,
        service_key: null,
        family: null,
        family_detail: null,
        target_kind: null,
        target: null,
        signatures: [],
        log_text: null,
        change_pattern: null,
        summary: null,
        investigation_id: null,
        started_at: d.startsAt,
        alert_resolved_at: null,
        closed_category: null,
        closed_note: null,
        closed_by: null,
        closed_at: null,
        reopened: 0,
        fired_again_at: null,
        last_seq: recorded.seq,
      };
      withFeatures(row, featuresFromLabels(d.labels));
      addRow(state, row);
      out.push(key);
      return out;
    }
    case 'AlertResolved': {
      const r = state.rows.get(episodeKey(caseId, event.data.episode));
      if (!fresh(r)) return [];
      r.alert_resolved_at = event.data.endsAt;
      return changed(r);
    }
    case 'InvestigationRequested': {
      const r = state.rows.get(episodeKey(caseId, event.data.episode));
      if (!fresh(r)) return [];
      r.investigation_id = event.data.investigationId;
      return changed(r);
    }
    case 'InvestigationCompleted': {
      const id = event.data.investigationId;
      const r = state.byCase.get(caseId)?.find((x) => x.investigation_id === id);
      if (!fresh(r) || !event.data.report) return [];
      withFeatures(r, featuresFromReport(featuresOf(r), event.data.report));
      return changed(r);
    }
    case 'CaseResolved': {
      const r = latestOf(state, caseId);
      if (!fresh(r)) return [];
      r.closed_category = event.data.category;
      r.closed_note = event.data.note;
      r.closed_by = event.data.by;
      r.closed_at = recorded.occurredAt;
      return changed(r);
    }
    case 'CaseReopened': {
      const r = latestOf(state, caseId);
      if (!fresh(r)) return [];
      r.closed_category = null;
      r.closed_note = null;
      r.closed_by = null;
      r.closed_at = null;
      r.reopened += 1;
      return changed(r);
    }
    default:
      return [];
  }
}

/** A re-sent episode's labels: only what labels tell, over what a report may have said. */
function pickLabelFeatures(labels: Record<string, string>, row: MemoryRow): Partial<MemoryFeatures> {
  const f = featuresFromLabels(labels);
  return {
    alertname: f.alertname,
    cluster: row.cluster ?? f.cluster,
    namespace: row.namespace ?? f.namespace,
    workloadKey: row.workload_key ?? f.workloadKey,
    serviceKey: row.service_key ?? f.serviceKey,
  };
}
