import { isDeepStrictEqual } from 'node:util';
import type { RecordedReport } from '../contract/report.js';

// What changed between two versions of a report: the fields people triage by (family,
// classification, top hypothesis), and whether anything else did.

export interface KeyFields {
  family: string | null;
  classification: string | null;
  topHypothesis: string | null;
}

const str = (v: unknown) => (typeof v === 'string' ? v : null);

export function keyFields(report: RecordedReport): KeyFields {
  const top: unknown = Array.isArray(report.hypotheses) ? report.hypotheses[0] : undefined;
  const t = typeof top === 'object' && top !== null ? (top as { title?: unknown; id?: unknown }) : null;
  return {
    family: str(report.family),
    classification: str(report.classification),
    topHypothesis: t ? (str(t.title) ?? str(t.id)) : null,
  };
}

export type ChangedField = keyof KeyFields;

export interface ReportChange {
  /** Key fields that differ, in a fixed order. */
  fields: ChangedField[];
  /** True when the reports differ at all (key fields or anything else). */
  any: boolean;
}

/** Reports compared as stored JSON: key order and undefined members do not count. */
export function compareReports(before: RecordedReport, after: RecordedReport): ReportChange {
  const a = keyFields(before);
  const b = keyFields(after);
  const fields = (['family', 'classification', 'topHypothesis'] as const).filter((k) => a[k] !== b[k]);
  return { fields, any: fields.length > 0 || !isDeepStrictEqual(asStored(before), asStored(after)) };
}

/** A report as the event log would give it back. */
export const asStored = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;
