// What one alert family knows, in one place: how to recognise it (alert names, name and
// expression patterns, container states that prove it), what to collect, which causes to
// consider, what it costs and what to run next. The registry lists the modules; the engines in
// family.ts, plan.ts, analyze.ts, scoring.ts and next-steps.ts read them and hold no family tables.

import type { ContainerState, PodData } from '../../collectors/evidence.js';
import type { Family } from '../../contract/taxonomy.js';
import type { Hypothesis, NextStep } from '../../contract/report.js';
import type { AlertInput } from '../alert.js';
import type { Ctx } from '../model.js';
import type { ContainerScope } from '../queries.js';
import type { WorkloadRef } from '../target.js';

export type H = Hypothesis | null;

/** A pattern on the alert name or on its rule expression. Lower `order` is tried first. */
export interface Pattern {
  re: RegExp;
  sub: string | null;
  order: number;
}

/** What the pod shows, gathered once for every family's refinement. */
export interface PodFacts {
  pod: PodData | null;
  podId: string | null;
  containers: ContainerState[];
  lastReasons: { reason: string; src: string }[];
  waiting: { reason: string; src: string }[];
}

/** Evidence that the alert is really of this family (e.g. an OOMKilled termination). */
export interface Refinement {
  /** Lower wins when several families claim the same alert. */
  order: number;
  claim(facts: PodFacts, preliminary: Family): { sub: string | null; why: string } | null;
}

export type Add = (id: string, title: string, query: string | null) => void;

/** What the planner knows when a family adds its PromQL. */
export interface PlanCtx {
  alert: AlertInput;
  labels: Record<string, string>;
  sub: string | null;
  /** The alert's pod and container, when it names both a namespace and a pod. */
  c: ContainerScope | null;
  /** "ns/pod (container)" for titles. */
  where: string;
  workload: WorkloadRef | null;
  /** "Kind ns/name" for titles. */
  wName: string;
  /** Lookback for last_over_time over the window. */
  lb: string;
  range: Add;
  instant: Add;
}

/** What next-step builders share. */
export interface StepCtx {
  ctx: Ctx;
  labels: Record<string, string>;
  c: ContainerScope | null;
  scrape: Record<string, string>;
  /** The window as a PromQL range, e.g. "1h". */
  r: string;
  step: (kind: NextStep['kind'], title: string, command: string, why: string) => NextStep;
}

export interface FamilyModule {
  family: Family;
  /** Human label used in summaries. */
  label: string;
  /** Points added to impact and why. */
  impact: [number, string];
  /** kube-prometheus and other well-known alert names → sub-kind. */
  alertNames?: Record<string, string | null>;
  /** Tried before every name table: alerts whose family depends on a label (KubeNodePressure). */
  matchAlert?: (alertname: string, labels: Record<string, string>) => string | null | undefined;
  /** Container `reason` label values that name this family directly. */
  reasons?: (reason: string) => string | null | undefined;
  namePatterns?: Pattern[];
  exprPatterns?: Pattern[];
  /** Evidence that moves a pod-level alert into this family. */
  refine?: Refinement[];
  /** The evidence is about one pod (when the alert names one). */
  podSubject?: boolean;
  /** Pod-level: container state may overrule the alert's name. */
  podLevel?: boolean;
  /** Read the workload object (rollout history) for this family. */
  workloadObject?: boolean;
  /** Without a pod label, read the namespace's events (narrowed to the workload's pods on use). */
  podEventsOfWorkload?: boolean;
  /** Read the workload's events as well. */
  workloadEvents?: boolean;
  /** Guess a Deployment from a `service` label. */
  guessWorkloadFromService?: boolean;
  /** Read the node object and its events when the alert names a node. */
  nodeObject?: (sub: string | null) => boolean;
  /** Read the previous container's logs. */
  previousLogs?: boolean;
  /** Application logs are not about this alert (node-level alerts). */
  noAppLogs?: (sub: string | null) => boolean;
  /** The pod's state decides the diagnosis: missing pod state lowers confidence. */
  podState?: boolean;
  /** The family's PromQL requests. */
  plan?: (p: PlanCtx) => void;
  /** Series that must exist when the alert's subject exists (absent → artifact). */
  primary?: { series: string; object?: string };
  /** The primary symptom series, cited by cross-family causes. */
  symptoms?: string[];
  hypotheses: (ctx: Ctx) => H[];
  promqlSteps?: (s: StepCtx) => NextStep[];
  /** kubectl logs --previous is a useful next step. */
  previousLogsStep?: boolean;
  /** The alert is about a node, not a pod or workload. */
  nodeSubject?: (sub: string | null, labels: Record<string, string>) => boolean;
}
