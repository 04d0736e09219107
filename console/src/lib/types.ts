// Shapes the API and the live websocket send (src/projections/case-queries.ts, src/live/frames.ts).

export interface CaseView {
  caseId: string;
  fingerprint: string;
  status: string;
  alertStatus: string;
  alertname: string;
  severity: string | null;
  cluster: string | null;
  namespace: string | null;
  team: string | null;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  firstSeen: string;
  lastSeen: string;
  episodeCount: number;
  episodeStartedAt: string;
  resolvedAt: string | null;
  snoozedUntil: string | null;
  closedCategory: string | null;
  closedNote: string | null;
  investigationId: string | null;
  investigationState: string | null;
  family: string | null;
  classification: string | null;
  summary: string | null;
  target: string | null;
  impact: number | null;
  confidence: number | null;
  noise: number | null;
  lastActivityAt: string;
  lastEventType: string;
  lastSeq: number;
}

export interface Step {
  step: string;
  attempt?: number;
  status: string;
  startedAt: string;
  durationMs: number;
  summary: string;
  detail?: unknown;
  seq: number;
}

export interface Investigation {
  investigationId: string;
  episode: number;
  reason: string;
  state: string;
  requestedBy: string | null;
  requestedAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  attempts: number;
  error: string | null;
  family: string | null;
  classification: string | null;
  summary: string | null;
  lastSeq: number;
  steps: Step[];
}

export interface CaseEvent {
  id: string;
  seq: number;
  index: number;
  type: string;
  occurredAt: string;
  data: Record<string, unknown>;
}

export interface CaseDetail {
  case: CaseView | null;
  version: number;
  investigations: Investigation[];
  events: CaseEvent[];
}

export interface CaseList {
  cases: CaseView[];
  total: number;
  limit: number;
  offset: number;
}

export type Frame =
  | { type: 'hello'; seq: number; resumed: boolean }
  | { type: 'sync'; seq: number }
  | { type: 'reset'; seq: number }
  | { type: 'case'; seq: number; case: CaseView }
  | { type: 'investigation'; seq: number; caseId: string; investigation: Omit<Investigation, 'steps'> }
  | { type: 'step'; seq: number; caseId: string; investigationId: string; step: Step };

export type RowFrame = Extract<Frame, { type: 'case' | 'investigation' | 'step' }>;

export interface Settings {
  prometheusPublicUrl: string | null;
}

export interface Facets {
  team: string[];
  severity: string[];
  namespace: string[];
  cluster: string[];
}

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

/**
 * The triage report (src/analysis/report.ts), read defensively: every field may be missing in a
 * report written by another version, and the page says "unknown" rather than breaking.
 */
export interface Report {
  summary?: string;
  verdict?: string;
  family?: string;
  familyDetail?: { preliminary?: string; subReason?: string | null; reasons?: string[] };
  classification?: string;
  classificationReason?: string;
  generatedAt?: string;
  target?: {
    kind?: string;
    name?: string;
    display?: string;
    namespace?: string | null;
    team?: { value: string; source: string } | null;
    environment?: { value: string; source: string } | null;
  };
  scores?: {
    impact?: number;
    confidence?: number;
    noise?: number;
    breakdown?: { score: string; factor: string; points: number; why: string }[];
  };
  hypotheses?: {
    id: string;
    title: string;
    score: number;
    rationale: string;
    evidenceIds?: string[];
    queries?: string[];
  }[];
  blastRadius?: {
    known?: boolean;
    reason?: string | null;
    firing?: number | null;
    suppressed?: number | null;
    namespaces?: { count: number; names: string[] };
    clusters?: { count: number; names: string[] };
    instances?: string[];
    thisAlertActive?: boolean | null;
    silences?: { known?: boolean; active?: number | null; matchingThisAlert?: number | null };
  };
  changes?: {
    known?: boolean;
    reason?: string | null;
    items?: {
      workload: string;
      revision: string;
      at: string;
      imageChanged: boolean;
      imagesBefore?: string[];
      imagesAfter?: string[];
      precedesAlert: boolean;
      minutesBeforeAlert: number;
    }[];
  };
  nextSteps?: { kind: string; title: string; command: string; why: string }[];
  logFindings?: {
    known?: boolean;
    reason?: string | null;
    linesRead?: number;
    errorLines?: number;
    patterns?: { pattern: string; count: number; example: string }[];
    stackTraces?: { language: string; header: string; frames: string[]; count: number }[];
    signatures?: {
      id: string;
      title: string;
      count: number;
      explanation: string;
      remediation: string;
      example: string;
    }[];
  };
  unknowns?: string[];
  evidence?: {
    id: string;
    title: string;
    source: string;
    kind: string;
    status: string;
    query: string;
    durationMs: number;
    finding: string;
    truncated: boolean;
  }[];
  evidenceOmitted?: number;
}
