import { caseIdOf } from '../../contract/case-id.js';
import type { Recorded } from '../../events/envelope.js';
import type { ReportRow } from './schema.js';

const text = (v: unknown) => (typeof v === 'string' ? v : null);

/** The report row an event writes (null when the event carries no report). */
export function reportRowOf(e: Recorded): ReportRow | null {
  if (e.type !== 'InvestigationCompleted' || !e.data.report) return null;
  const { report } = e.data;
  return {
    investigation_id: e.data.investigationId,
    case_id: caseIdOf(e.aggregate),
    completed_at: e.occurredAt,
    anchor: e.data.anchor,
    family: text(report.family),
    classification: text(report.classification),
    report,
    last_seq: e.seq,
  };
}
