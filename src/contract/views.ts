import { z } from 'zod';
import type { RecordedReport } from './report.js';

// What the API sends and the console reads. The server validates its rows with these schemas; the
// console imports the types (console/src/lib/api.ts).

/** A case id as the API accepts it in a path. */
export const caseIdSchema = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/);

/** GET /api/cases query. */
export const caseListQuerySchema = z.object({
  status: z.enum(['firing', 'resolved', 'snoozed', 'closed', 'open']).optional(),
  severity: z.string().max(64).optional(),
  namespace: z.string().max(253).optional(),
  alertname: z.string().max(256).optional(),
  team: z.string().max(256).optional(),
  classification: z.string().max(64).optional(),
  family: z.string().max(64).optional(),
  cluster: z.string().max(256).optional(),
  /** Free text plus tokens such as ns:, pod:, deploy:, svc:, cluster:, alert: (src/projections/search.ts). */
  q: z.string().max(256).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
});
export type CaseListQuery = z.infer<typeof caseListQuerySchema>;

/** A row of the case list (and the case page's header). */
export const caseViewSchema = z.object({
  caseId: z.string(),
  fingerprint: z.string(),
  status: z.string(),
  alertStatus: z.string(),
  alertname: z.string(),
  severity: z.string().nullable(),
  cluster: z.string().nullable(),
  namespace: z.string().nullable(),
  team: z.string().nullable(),
  labels: z.record(z.string(), z.string()),
  annotations: z.record(z.string(), z.string()),
  firstSeen: z.string(),
  lastSeen: z.string(),
  episodeCount: z.number(),
  episodeStartedAt: z.string(),
  resolvedAt: z.string().nullable(),
  snoozedUntil: z.string().nullable(),
  closedCategory: z.string().nullable(),
  closedNote: z.string().nullable(),
  investigationId: z.string().nullable(),
  investigationState: z.string().nullable(),
  family: z.string().nullable(),
  classification: z.string().nullable(),
  summary: z.string().nullable(),
  target: z.string().nullable(),
  impact: z.number().nullable(),
  confidence: z.number().nullable(),
  noise: z.number().nullable(),
  lastActivityAt: z.string(),
  lastEventType: z.string(),
  lastSeq: z.coerce.number(),
});
export type CaseView = z.infer<typeof caseViewSchema>;

/** One finished step of an investigation. */
export const stepViewSchema = z.object({
  step: z.string(),
  attempt: z.number(),
  status: z.string(),
  startedAt: z.string(),
  durationMs: z.number(),
  summary: z.string(),
  detail: z.unknown(),
  seq: z.number(),
});
export type StepView = z.infer<typeof stepViewSchema>;

/** An investigation without its steps. */
export const investigationViewSchema = z.object({
  investigationId: z.string(),
  episode: z.number(),
  reason: z.string(),
  state: z.string(),
  requestedBy: z.string().nullable(),
  requestedAt: z.string(),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
  attempts: z.number(),
  error: z.string().nullable(),
  family: z.string().nullable(),
  classification: z.string().nullable(),
  summary: z.string().nullable(),
  lastSeq: z.number(),
});

/** An investigation with its steps, in the order they finished. */
export const investigationWithStepsSchema = investigationViewSchema.extend({
  steps: z.array(stepViewSchema),
});
export type InvestigationView = z.infer<typeof investigationWithStepsSchema>;

/** An event of the case's stream, as GET /api/cases/:id lists it. */
export interface CaseEventView {
  id: string;
  seq: number;
  index: number;
  type: string;
  schema: number;
  occurredAt: string;
  correlationId: string | null;
  data: Record<string, unknown>;
}

/** GET /api/cases/:id */
/** A finished investigation's report, as stored (a report written by any version is kept as it is). */
export const caseReportViewSchema = z.object({
  investigationId: z.string(),
  completedAt: z.string(),
  anchor: z.string(),
  report: z.custom<RecordedReport>((v) => typeof v === 'object' && v !== null),
  /** 1 as the investigation completed; each `tarka reanalyze` revision adds one. */
  version: z.coerce.number().int().positive(),
  /** What the latest revision replaced and why; null for version 1. */
  revision: z
    .object({
      revisedAt: z.string(),
      reason: z.string(),
      tarkaVersion: z.string(),
      previous: z.object({
        version: z.number(),
        family: z.string().nullable(),
        classification: z.string().nullable(),
        topHypothesis: z.string().nullable(),
      }),
    })
    .nullable(),
  seq: z.coerce.number(),
});
export type CaseReportView = z.infer<typeof caseReportViewSchema>;

export interface CaseDetail {
  case: CaseView | null;
  version: number;
  investigations: InvestigationView[];
  /** The current investigation's report, else the latest finished one; null before any. */
  report: CaseReportView | null;
  events: CaseEventView[];
  /** The incident (alert storm) the case belongs to, if any. */
  incidentId?: string | null;
}

/** GET /api/cases */
export interface CaseList {
  cases: CaseView[];
  total: number;
  limit: number;
  offset: number;
  /** caseId -> incident, for the listed cases that belong to one. */
  incidents?: Record<string, string>;
}

/** GET /api/settings */
export interface Settings {
  prometheusPublicUrl: string | null;
}

/** GET /api/facets: values the filters can offer, most common first. */
export interface Facets {
  team: string[];
  severity: string[];
  namespace: string[];
  cluster: string[];
}

/** GET /api/dashboard */
export interface Dashboard {
  days: number;
  from: string;
  perDay: {
    day: string;
    total: number;
    byFamily: Record<string, number>;
    byClassification: Record<string, number>;
  }[];
  noisiest: {
    alertname: string;
    episodes: number;
    cases: number;
    noisy: number;
    closedAsNoise: number;
    avgNoise: number | null;
  }[];
  timeToReport: { count: number; p50Ms: number | null; p95Ms: number | null };
  status: { open: number; snoozed: number; resolved: number; closed: number };
  byTeam: { team: string | null; total: number; open: number; actionable: number }[];
}
