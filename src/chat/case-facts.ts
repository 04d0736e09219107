import type { EventStore } from '../events/event-store.js';
import type { CaseEvent } from '../events/case-events.js';
import type { RecordedReport } from '../contract/report.js';
import { caseAggregate } from '../contract/case-id.js';

/** What the chat knows about a case: read from the case's own events, the source of truth. */
export interface CaseFacts {
  caseId: string;
  exists: boolean;
  alertname: string | null;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  episode: number;
  episodeStartsAt: string | null;
  alertStatus: 'firing' | 'resolved' | null;
  closed: { category: string; note: string | null; by: string | null } | null;
  snoozedUntil: string | null;
  investigations: { id: string; state: string; reason: string; requestedBy: string | null; at: string }[];
  /** The report of the latest completed investigation, and its id. */
  report: RecordedReport | null;
  reportInvestigationId: string | null;
  version: number;
}

export async function loadCaseFacts(store: EventStore, caseId: string): Promise<CaseFacts> {
  const { events, version } = await store.readAggregate(caseAggregate(caseId));
  const facts: CaseFacts = {
    caseId,
    exists: false,
    alertname: null,
    labels: {},
    annotations: {},
    episode: 0,
    episodeStartsAt: null,
    alertStatus: null,
    closed: null,
    snoozedUntil: null,
    investigations: [],
    report: null,
    reportInvestigationId: null,
    version,
  };
  for (const raw of events) {
    const e = { type: raw.type, data: raw.data } as CaseEvent;
    switch (e.type) {
      case 'AlertFired':
        facts.exists = true;
        facts.labels = e.data.labels;
        facts.annotations = e.data.annotations;
        facts.alertname = e.data.labels.alertname ?? null;
        facts.episode = e.data.episode;
        facts.episodeStartsAt = e.data.startsAt;
        facts.alertStatus = 'firing';
        facts.closed = null;
        break;
      case 'AlertResolved':
        if (e.data.episode === facts.episode) facts.alertStatus = 'resolved';
        break;
      case 'CaseResolved':
        facts.closed = { category: e.data.category, note: e.data.note, by: e.data.by };
        facts.snoozedUntil = null;
        break;
      case 'CaseReopened':
        facts.closed = null;
        break;
      case 'CaseSnoozed':
        facts.snoozedUntil = e.data.until;
        break;
      case 'InvestigationRequested':
        facts.investigations.push({
          id: e.data.investigationId,
          state: 'queued',
          reason: e.data.reason,
          requestedBy: e.data.requestedBy,
          at: raw.occurredAt,
        });
        break;
      case 'InvestigationStarted':
      case 'InvestigationCompleted':
      case 'InvestigationFailed': {
        const inv = facts.investigations.find((i) => i.id === e.data.investigationId);
        if (!inv) break;
        if (e.type === 'InvestigationStarted') inv.state = 'running';
        else if (e.type === 'InvestigationCompleted') {
          inv.state = 'completed';
          if (e.data.report) {
            facts.report = e.data.report;
            facts.reportInvestigationId = inv.id;
          }
        } else if (e.data.final) inv.state = 'failed';
        break;
      }
      default:
        break;
    }
  }
  return facts;
}

/** The case's status as people see it. */
export function caseStatus(f: CaseFacts, now: Date): string {
  if (f.closed) return 'closed';
  if (f.snoozedUntil && Date.parse(f.snoozedUntil) > now.getTime()) return 'snoozed';
  return f.alertStatus ?? 'unknown';
}
