// The triage report, versioned. Bounds in the schema are the size contract: a report that fits
// the schema stays small (tens of KB) however large the evidence was.

import { z } from 'zod';
import { CLASSIFICATIONS, currentFamily, FAMILIES } from './taxonomy.js';

const s = (max: number) => z.string().max(max);
const count = z.number().int().nonnegative();
const score = z.number().int().min(0).max(100);
const evidenceId = s(100);
const labelMap = z
  .record(s(100), s(200))
  .refine((o) => Object.keys(o).length <= 30, { message: 'at most 30 labels' });

const attribution = z.object({ value: s(200), source: s(120) });

const hypothesis = z.object({
  id: s(80),
  title: s(200),
  score,
  rationale: s(600),
  /** Ids of the evidence items the claim rests on. */
  evidence: z.array(evidenceId).max(8),
  /** Copied from the cited evidence items: what to re-run to check the claim. */
  queries: z.array(s(1000)).max(6),
});

const factor = z.object({
  score: z.enum(['impact', 'confidence', 'noise']),
  factor: s(80),
  points: z.number().int().min(-100).max(100),
  why: s(240),
});

const change = z.object({
  workload: s(300),
  revision: s(60),
  at: s(40),
  imagesBefore: z.array(s(200)).max(3),
  imagesAfter: z.array(s(200)).max(3),
  imageChanged: z.boolean(),
  precedesAlert: z.boolean(),
  /** Positive: before the alert started. */
  minutesBeforeAlert: z.number(),
  evidenceId,
});

const nextStep = z.object({
  kind: z.enum(['promql', 'kubectl']),
  title: s(200),
  command: s(1500),
  why: s(300),
});

// Similar past incidents (case memory): each match says which features matched, with their
// weights, and how that incident was resolved.
export const MEMORY_FEATURES = [
  'same_workload',
  'same_service',
  'same_alert',
  'same_family',
  'same_log_signature',
  'similar_logs',
  'same_change_pattern',
  'similar_summary',
] as const;

const memoryMatch = z.object({
  caseId: s(200),
  episode: count,
  alertname: s(200),
  target: s(400).nullable(),
  cluster: s(200).nullable(),
  namespace: s(200).nullable(),
  family: s(60).nullable(),
  startedAt: s(40),
  summary: s(300).nullable(),
  /** Sum of the points of the matching features (0–100). */
  score: z.number().min(0).max(100),
  features: z
    .array(
      z.object({
        feature: z.enum(MEMORY_FEATURES),
        weight: z.number().int().min(0).max(100),
        points: z.number().min(0).max(100),
        detail: s(300),
      }),
    )
    .max(MEMORY_FEATURES.length),
  resolution: z.object({
    category: s(60).nullable(),
    note: s(1000).nullable(),
    by: s(200).nullable(),
    closedAt: s(40).nullable(),
    /** From the episode's start to its close (or to the alert's end when nobody closed it). */
    minutesToResolve: z.number().nonnegative().nullable(),
    /** The same case or workload fired again after this episode. */
    firedAgain: z.boolean(),
    firedAgainAt: s(40).nullable(),
  }),
});

export const memorySectionSchema = z.object({
  status: z.enum(['ok', 'empty', 'unavailable', 'error']),
  reason: s(300).nullable(),
  matches: z.array(memoryMatch).max(10),
});

export const reportSchemaV1 = z.object({
  schemaVersion: z.literal(1),
  generatedAt: s(40),
  alert: z.object({
    fingerprint: s(100),
    alertname: s(200),
    severity: s(50).nullable(),
    startsAt: s(40),
    labels: labelMap,
  }),
  window: z.object({ start: s(40), end: s(40) }),
  summary: s(300),
  verdict: s(1200),
  /** Final family (a plain string: storage keys and timelines use it). */
  family: z.enum(FAMILIES),
  familyDetail: z.object({
    preliminary: z.enum(FAMILIES),
    subReason: s(60).nullable(),
    reasons: z.array(s(300)).max(8),
  }),
  target: z.object({
    kind: z.enum(['pod', 'workload', 'service', 'node', 'cluster']),
    name: s(300),
    display: s(400),
    namespace: s(200).nullable(),
    pod: s(200).nullable(),
    container: s(200).nullable(),
    workload: z
      .object({
        kind: z.enum(['Deployment', 'StatefulSet', 'DaemonSet', 'Job', 'CronJob', 'ReplicaSet']),
        name: s(200),
        source: z.enum(['owner-chain', 'evidence', 'label', 'pod-name', 'service-name']),
      })
      .nullable(),
    service: s(200).nullable(),
    node: s(200).nullable(),
    cluster: s(200).nullable(),
    team: attribution.nullable(),
    environment: attribution.nullable(),
  }),
  classification: z.enum(CLASSIFICATIONS),
  classificationReason: s(400),
  scores: z.object({
    impact: score,
    confidence: score,
    noise: score,
    breakdown: z.array(factor).max(40),
  }),
  hypotheses: z.array(hypothesis).max(6),
  blastRadius: z.object({
    known: z.boolean(),
    reason: s(300).nullable(),
    firing: count.nullable(),
    suppressed: count.nullable(),
    namespaces: z.object({ count, names: z.array(s(200)).max(10) }),
    clusters: z.object({ count, names: z.array(s(200)).max(10) }),
    instances: z.array(s(300)).max(10),
    /** Is this very alert still in Alertmanager? null when that cannot be told. */
    thisAlertActive: z.boolean().nullable(),
    silences: z.object({
      known: z.boolean(),
      active: count.nullable(),
      matchingThisAlert: count.nullable(),
      examples: z.array(s(300)).max(3),
    }),
  }),
  changes: z.object({
    known: z.boolean(),
    reason: s(300).nullable(),
    items: z.array(change).max(6),
  }),
  nextSteps: z.array(nextStep).max(14),
  logFindings: z.object({
    known: z.boolean(),
    reason: s(300).nullable(),
    linesRead: count,
    errorLines: count,
    patterns: z
      .array(z.object({ pattern: s(200), count, example: s(300), evidenceIds: z.array(evidenceId).max(8) }))
      .max(10),
    stackTraces: z
      .array(
        z.object({
          language: z.enum(['java', 'python', 'go', 'node']),
          header: s(300),
          frames: z.array(s(160)).max(5),
          count,
          evidenceId,
        }),
      )
      .max(3),
    signatures: z
      .array(
        z.object({
          id: s(60),
          title: s(120),
          count,
          detail: s(120).nullable(),
          example: s(300),
          explanation: s(400),
          remediation: s(400),
          evidenceIds: z.array(evidenceId).max(8),
        }),
      )
      .max(8),
  }),
  unknowns: z.array(s(400)).max(15),
  evidence: z
    .array(
      z.object({
        id: evidenceId,
        title: s(200),
        source: z.enum(['prometheus', 'alertmanager', 'kubernetes', 'logs']),
        kind: s(20),
        status: z.enum(['ok', 'empty', 'unavailable', 'error']),
        query: s(600),
        durationMs: z.number().nonnegative(),
        finding: s(200),
        truncated: z.boolean(),
      }),
    )
    .max(40),
  /** Evidence items left out of `evidence` to keep the report small. */
  evidenceOmitted: count,
  /** Similar past incidents; absent on reports written before case memory. */
  memory: memorySectionSchema.optional(),
});

export type Report = z.infer<typeof reportSchemaV1>;
export type Hypothesis = z.infer<typeof hypothesis>;
export type ScoreFactor = z.infer<typeof factor>;
export type Change = z.infer<typeof change>;
export type NextStep = z.infer<typeof nextStep>;
export type BlastRadius = Report['blastRadius'];
export type Changes = Report['changes'];
export type LogFindings = Report['logFindings'];
export type EvidenceSummary = Report['evidence'][number];
export type Classification = Report['classification'];
export type MemorySection = z.infer<typeof memorySectionSchema>;
export type MemoryMatch = MemorySection['matches'][number];
export type MemoryFeature = (typeof MEMORY_FEATURES)[number];

/** `T` with its enums and literals widened to plain strings and numbers. */
type Widen<T> = T extends string
  ? string
  : T extends number
    ? number
    : T extends boolean | null
      ? T
      : T extends readonly (infer U)[]
        ? Widen<U>[]
        : { [K in keyof T]: Widen<T[K]> };

/** Any field of `T`'s objects may be missing (the items of its lists are whole); enums widened. */
type Loose<T> = T extends readonly unknown[]
  ? Widen<T>
  : T extends object
    ? { [K in keyof T]?: Loose<T[K]> }
    : Widen<T>;

/** A score as reports once wrote it (`{ value }`), or as they do now (a number). */
export type RecordedScore = number | { value?: number };

/**
 * The report as an InvestigationCompleted event carries it: written by this version (a `Report`),
 * by an earlier one (any field may be missing; scores were once `{ value }`), or cut down to
 * family, classification and summary with `truncated` when it did not fit its bounds. Read it
 * defensively; `reportSchemaV1.safeParse` tells whether it is a current `Report`.
 */
export type RecordedReport = Omit<Loose<Report>, 'scores'> & {
  scores?: Omit<Loose<Report['scores']>, 'impact' | 'confidence' | 'noise'> & {
    impact?: RecordedScore;
    confidence?: RecordedScore;
    noise?: RecordedScore;
  };
  truncated?: boolean;
};

/**
 * A stored report with its family names in today's vocabulary (see `currentFamily`): applied
 * whenever an InvestigationCompleted event is read, so case rows, timelines, snapshots and the
 * console show an old `rollout_mismatch` report as `k8s_rollout_health`. Pure; the identity on
 * reports that already use current names.
 */
export function upcastRecordedReport<T extends RecordedReport | null | undefined>(report: T): T {
  if (!report || typeof report !== 'object' || typeof report.family !== 'string') return report;
  const detail = report.familyDetail;
  const now = currentFamily(report.family, detail?.subReason ?? null);
  const prelim =
    typeof detail?.preliminary === 'string' ? currentFamily(detail.preliminary).family : undefined;
  if (now.family === report.family && (prelim === undefined || prelim === detail?.preliminary)) return report;
  return {
    ...report,
    family: now.family,
    ...(detail
      ? {
          familyDetail: {
            ...detail,
            ...(prelim !== undefined ? { preliminary: prelim } : {}),
            subReason: now.subReason,
          },
        }
      : {}),
  };
}
