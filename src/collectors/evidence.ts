// The contract between the planner (what to look at), the collectors (how to fetch it) and the
// analysis (what it means). Every item says where it came from and the exact query behind it.

export type CollectorStatus = 'ok' | 'empty' | 'unavailable' | 'error';

export type EvidenceSource = 'prometheus' | 'alertmanager' | 'kubernetes' | 'logs';

/** What the planner asks for. `id` is stable inside one investigation and cited by hypotheses. */
export type EvidenceRequest =
  | { id: string; title: string; source: 'prometheus'; kind: 'instant'; query: string }
  | { id: string; title: string; source: 'prometheus'; kind: 'range'; query: string; stepSeconds?: number }
  | { id: string; title: string; source: 'prometheus'; kind: 'series'; match: string[] }
  | { id: string; title: string; source: 'alertmanager'; kind: 'alerts'; alertname: string }
  | { id: string; title: string; source: 'alertmanager'; kind: 'silences'; alertname: string }
  | { id: string; title: string; source: 'kubernetes'; kind: 'pod'; namespace: string; pod: string }
  | {
      id: string;
      title: string;
      source: 'kubernetes';
      kind: 'workload';
      namespace: string;
      workloadKind: WorkloadKind;
      name: string;
    }
  | {
      id: string;
      title: string;
      source: 'kubernetes';
      kind: 'events';
      namespace: string;
      involvedName?: string;
    }
  | { id: string; title: string; source: 'kubernetes'; kind: 'node'; node: string }
  | {
      id: string;
      title: string;
      source: 'kubernetes';
      kind: 'previous_logs';
      namespace: string;
      pod: string;
      container?: string;
      tailLines: number;
    }
  | {
      id: string;
      title: string;
      source: 'logs';
      kind: 'logs';
      namespace: string;
      pod?: string;
      container?: string;
      limit: number;
    };

export type WorkloadKind = 'Deployment' | 'StatefulSet' | 'DaemonSet' | 'Job' | 'CronJob' | 'ReplicaSet';

export interface EvidenceItem<T = unknown> {
  id: string;
  title: string;
  source: EvidenceSource;
  kind: EvidenceRequest['kind'];
  status: CollectorStatus;
  /** The exact PromQL, LogsQL/LogQL or API request that produced this item. */
  query: string;
  startedAt: string;
  durationMs: number;
  /** Why the item is unavailable or failed, in words an SRE can act on. */
  error?: string;
  /** Bounded result (see the data shapes below); null unless status is ok. */
  data: T | null;
  /** True when results were cut to stay bounded. */
  truncated?: boolean;
}

// ---- data shapes by kind ----

/** Prometheus instant query: one sample per series. */
export interface InstantData {
  resultType: 'vector' | 'scalar';
  series: { labels: Record<string, string>; value: number }[];
}

/** Prometheus range query: capped points per series. */
export interface RangeData {
  series: { labels: Record<string, string>; points: [number, number][] }[];
}

export interface SeriesData {
  series: Record<string, string>[];
}

export interface AlertsData {
  alerts: { fingerprint: string; labels: Record<string, string>; startsAt: string; state: string }[];
}

export interface SilencesData {
  silences: {
    id: string;
    matchers: { name: string; value: string; isRegex: boolean; isEqual: boolean }[];
    endsAt: string;
    createdBy: string;
    comment: string;
  }[];
}

export interface ContainerState {
  name: string;
  image: string;
  ready: boolean;
  restartCount: number;
  state: 'running' | 'waiting' | 'terminated' | 'unknown';
  reason?: string;
  message?: string;
  lastTermination?: { reason?: string; exitCode?: number; finishedAt?: string; message?: string };
}

export interface PodData {
  name: string;
  namespace: string;
  phase: string;
  node?: string;
  labels: Record<string, string>;
  /** Owner chain from the pod upwards, e.g. ReplicaSet api-7d9f → Deployment api. */
  owners: { kind: string; name: string }[];
  containers: ContainerState[];
  conditions: { type: string; status: string; reason?: string; message?: string }[];
}

export interface WorkloadData {
  kind: WorkloadKind;
  name: string;
  namespace: string;
  labels: Record<string, string>;
  desiredReplicas?: number;
  readyReplicas?: number;
  updatedReplicas?: number;
  availableReplicas?: number;
  /** Rollout condition, e.g. Progressing=False ProgressDeadlineExceeded. */
  conditions: { type: string; status: string; reason?: string; message?: string }[];
  /** Recent revisions, newest first, with their images and creation time. */
  revisions: { revision: string; images: string[]; createdAt: string }[];
  /** Jobs only. */
  failed?: number;
  succeeded?: number;
}

export interface EventsData {
  events: {
    type: string;
    reason: string;
    message: string;
    object: string;
    count: number;
    lastSeen: string;
  }[];
}

export interface NodeData {
  name: string;
  conditions: { type: string; status: string; reason?: string; message?: string }[];
  unschedulable: boolean;
  labels: Record<string, string>;
}

export interface LogsData {
  backend: 'victorialogs' | 'loki' | 'kubernetes';
  lines: { time?: string; stream?: string; line: string }[];
}
