import { caseIdOf } from '../../contract/case-id.js';
import type { Recorded } from '../../events/envelope.js';
import type { ReportRow } from './schema.js';

const text = (v: unknown) => (typeof v === 'string' ? v : null);

type Revised = Extract<Recorded, { type: 'ReportRevised' }>;

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
    version: 1,
    revision: null,
    last_seq: e.seq,
  };
}

/**
 * The row after a revised report (`tarka reanalyze`): the latest version is served, with the key
 * fields of the one it replaced so the console can say what changed. Null when the investigation
 * has no row (a revision without its completion cannot be shown) or already includes the event.
 */
export function revisedRow(row: ReportRow | null, e: Revised): ReportRow | null {
  if (!row || row.last_seq >= e.seq) return null;
  const d = e.data;
  return {
    ...row,
    family: text(d.report.family),
    classification: text(d.report.classification),
    report: d.report,
    version: d.version,
    revision: {
      revisedAt: e.occurredAt,
      reason: d.reason,
      tarkaVersion: d.tarkaVersion,
      previous: d.previous,
    },
    last_seq: e.seq,
  };
}
