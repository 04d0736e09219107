import { z } from 'zod';
import { investigationEnrichedV1 } from '../contract/enrichment.js';
import { chatFamilySchemas, chatFamilyVersions } from './chat-events.js';
import { upcastRecordedReport, type RecordedReport } from '../contract/report.js';
import { requestSourceSchema } from './auth-events.js';

// Case events, current schema versions. Older versions are upcast on read (upcasters.ts); stored
// events are never rewritten. Bump `caseEventVersions` and add an upcaster + fixture when a shape
// changes.

// Not z.record: it copies into a plain object, where a label named `__proto__` (a name like any
// other to Prometheus) would set the prototype and vanish. The parsed object is kept as it is.
const labels = z.custom<Record<string, string>>(
  (v) =>
    typeof v === 'object' &&
    v !== null &&
    !Array.isArray(v) &&
    Object.values(v).every((x) => typeof x === 'string'),
  { message: 'expected an object of name: "value" strings' },
);
const ts = z.iso.datetime({ offset: true });

export const notificationSchema = z.object({
  receiver: z.string().nullable(),
  groupKey: z.string().nullable(),
  truncatedAlerts: z.number().int().nonnegative(),
  reason: z.string().nullable(),
});

export const alertFiredV2 = z.object({
  fingerprint: z.string(),
  episode: z.number().int().positive(),
  startsAt: ts,
  labels,
  annotations: labels,
  generatorURL: z.string().nullable(),
  notification: notificationSchema,
});

export const alertResolvedV1 = z.object({
  fingerprint: z.string(),
  episode: z.number().int().positive(),
  startsAt: ts,
  endsAt: ts,
});

export const investigationRequestedV1 = z.object({
  investigationId: z.string(),
  episode: z.number().int().nonnegative(),
  reason: z.enum(['new_episode', 'rerun']),
  /** Where the evidence window is anchored: the alert's start. */
  anchor: ts,
  requestedBy: z.string().nullable(),
  /** When a person asked (reruns): what the per-case rerun limit counts. Absent on older events. */
  requestedAt: ts.optional(),
  /** Where a person's rerun came from (client address, browser); absent on older events and alerts. */
  source: requestSourceSchema.optional(),
  /** A rerun asked with its own evidence window (minutes each side of the anchor); else TIME_WINDOW. */
  windowMinutes: z.number().int().positive().max(10_080).optional(),
});

export const investigationStartedV1 = z.object({
  investigationId: z.string(),
  worker: z.string(),
  attempt: z.number().int().positive(),
});

export const investigationStepCompletedV1 = z.object({
  investigationId: z.string(),
  step: z.string(),
  status: z.enum(['ok', 'empty', 'unavailable', 'error', 'done', 'failed']),
  startedAt: ts,
  durationMs: z.number().nonnegative(),
  summary: z.string(),
  detail: z.unknown().optional(),
});

export const investigationCompletedV1 = z.object({
  investigationId: z.string(),
  /** Start of the alert episode investigated: dates the report snapshot's key. */
  anchor: ts,
  /**
   * Not checked when read: a report written by any version is kept as it is (see RecordedReport),
   * only its family names are brought to today's vocabulary.
   */
  report: z
    .custom<RecordedReport | null>(() => true)
    .transform((r) => upcastRecordedReport(r))
    .optional(),
});

/** Key fields of the report version a revision replaces: what the console shows as "what changed". */
export const reportKeyFieldsSchema = z.object({
  version: z.number().int().positive(),
  family: z.string().nullable(),
  classification: z.string().nullable(),
  topHypothesis: z.string().nullable(),
});

/**
 * A new version of a finished investigation's report, re-derived from the evidence its steps
 * recorded (`tarka reanalyze`): version 1 is the report in InvestigationCompleted.
 */
export const reportRevisedV1 = z.object({
  investigationId: z.string(),
  /** Start of the alert episode investigated (as in InvestigationCompleted): dates the snapshot key. */
  anchor: ts,
  version: z.number().int().min(2),
  report: z
    .custom<RecordedReport>((v) => typeof v === 'object' && v !== null)
    .transform((r) => upcastRecordedReport(r)),
  reason: z.string(),
  /** The Tarka (package) version whose analysis derived this report. */
  tarkaVersion: z.string(),
  previous: reportKeyFieldsSchema,
});

export const investigationFailedV1 = z.object({
  investigationId: z.string(),
  error: z.string(),
  final: z.boolean(),
  attempts: z.number().int().nonnegative(),
});

/**
 * The investigation was not run: another member of the case's incident investigates the same
 * cause, and its report covers this case too.
 */
export const investigationSkippedV1 = z.object({
  investigationId: z.string(),
  incidentId: z.string(),
  coveredBy: z.object({ caseId: z.string(), investigationId: z.string() }),
  reason: z.string().max(500),
});

// `source`: where the person acted from (optional: absent on events written before sign-in existed).
export const caseSnoozedV1 = z.object({
  until: ts,
  by: z.string().nullable(),
  note: z.string().nullable(),
  source: requestSourceSchema.optional(),
});
export const caseResolvedV1 = z.object({
  category: z.string().min(1),
  note: z.string().nullable(),
  by: z.string().nullable(),
  source: requestSourceSchema.optional(),
});
export const caseReopenedV1 = z.object({
  by: z.string().nullable(),
  note: z.string().nullable(),
  source: requestSourceSchema.optional(),
});
// Chat turns on a case (schemas in chat-events.ts, shared with the global thread).

export const caseEventSchemas = {
  AlertFired: alertFiredV2,
  AlertResolved: alertResolvedV1,
  InvestigationRequested: investigationRequestedV1,
  InvestigationStarted: investigationStartedV1,
  InvestigationStepCompleted: investigationStepCompletedV1,
  InvestigationCompleted: investigationCompletedV1,
  InvestigationFailed: investigationFailedV1,
  InvestigationSkipped: investigationSkippedV1,
  /** The optional LLM's narrative of a completed investigation (src/llm/enrich.ts). */
  InvestigationEnriched: investigationEnrichedV1,
  CaseSnoozed: caseSnoozedV1,
  CaseResolved: caseResolvedV1,
  CaseReopened: caseReopenedV1,
  /** A re-derived version of a finished investigation's report (`tarka reanalyze`). */
  ReportRevised: reportRevisedV1,
  ...chatFamilySchemas,
} as const;

export type CaseEventType = keyof typeof caseEventSchemas;

/** Current schema version of each event type. */
export const caseEventVersions: Record<CaseEventType, number> = {
  AlertFired: 2,
  AlertResolved: 1,
  InvestigationRequested: 1,
  InvestigationStarted: 1,
  InvestigationStepCompleted: 1,
  InvestigationCompleted: 1,
  InvestigationFailed: 1,
  InvestigationSkipped: 1,
  InvestigationEnriched: 1,
  CaseSnoozed: 1,
  CaseResolved: 1,
  CaseReopened: 1,
  ReportRevised: 1,
  ...chatFamilyVersions,
};

export type CaseEvent = {
  [K in CaseEventType]: { type: K; data: z.infer<(typeof caseEventSchemas)[K]> };
}[CaseEventType];

export type CaseEventOf<K extends CaseEventType> = Extract<CaseEvent, { type: K }>;

export function isCaseEventType(t: string): t is CaseEventType {
  return Object.hasOwn(caseEventSchemas, t);
}
