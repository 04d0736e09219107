import type { SyntheticSeries } from '../../../src/testkit/prometheus.js';
import type { ContainerLogs, KubeObject } from '../../../src/testkit/fake-kubernetes.js';
import type { LogEntry } from '../../../src/testkit/fake-logs.js';
import type { PostedSilence } from '../../../src/testkit/alertmanager.js';

// Building blocks for the scenario corpus: each scenario is one consistent incident story told
// by Prometheus history, Kubernetes objects and events, logs and Alertmanager, with distractors,
// and what an SRE would conclude from it.

/** The corpus' "now": Prometheus history ends here; alerts start minutes before it. */
export const NOW = Math.floor(Date.now() / 1000) * 1000;
export const INTERVAL = 30;
export const HISTORY_SECONDS = 3 * 3600;
const nowSec = NOW / 1000 - 1;

export const ago = (min: number) => new Date(NOW - min * 60_000).toISOString();
/** Minutes before now of the sample at unix time t. */
const minutesAgo = (t: number) => (nowSec - t) / 60;

export interface Expectation {
  family: string;
  subReason?: string | null;
  classification: 'actionable' | 'informational' | 'noisy' | 'artifact';
  /** Id of the top hypothesis; null when no cause should be claimed. */
  top: string | null;
  /** Hypothesis ids or text that must not appear anywhere in the report. */
  forbidden: (string | RegExp)[];
  /** Bounds on the noise score. */
  noise?: { min?: number; max?: number };
  /** Text the report must contain (numbers shown, how to get missing access…). */
  mentions?: RegExp[];
}

export interface Scenario {
  name: string;
  /** Story in one line, for the table and for whoever reads a failure. */
  story: string;
  alert: { labels: Record<string, string>; expr?: string; startedMinAgo: number };
  series: SyntheticSeries[];
  kube?: KubeObject[];
  podLogs?: { namespace: string; pod: string; container: string; logs: ContainerLogs }[];
  logs?: LogEntry[];
  /** Kubernetes resources (plural) that answer 403 Forbidden. */
  forbid?: string[];
  /** No log backend configured. */
  noLogsBackend?: boolean;
  /** Other alerts firing in Alertmanager at the same time (distractors, siblings). */
  otherAlerts?: Record<string, string>[];
  silences?: PostedSilence[];
  expect: Expectation;
}

// ---- metrics

export function gauge(
  metric: string,
  labels: Record<string, string>,
  f: (minAgo: number) => number | null,
): SyntheticSeries {
  return { metric, labels, value: (_i, t) => f(minutesAgo(t)) };
}

/** A counter whose per-second rate at each moment is `rate(minAgo)`. */
export function counter(
  metric: string,
  labels: Record<string, string>,
  rate: (minAgo: number) => number,
  start = 1000,
): SyntheticSeries {
  const memo: number[] = [];
  const value = (i: number, t: number): number => {
    if (memo[i] !== undefined) return memo[i]!;
    const prev = i === 0 ? start : value(i - 1, t - INTERVAL);
    memo[i] = prev + rate(minutesAgo(t)) * INTERVAL;
    return memo[i]!;
  };
  return { metric, labels, type: 'counter', value: (i, t) => Math.round(value(i, t) * 1000) / 1000 };
}

/** A restart counter that steps once every `everyMin` minutes since `sinceMinAgo`. */
export function restarts(
  labels: Record<string, string>,
  sinceMinAgo: number,
  everyMin: number,
): SyntheticSeries {
  return {
    metric: 'kube_pod_container_status_restarts_total',
    labels: { job: 'kube-state-metrics', ...labels },
    type: 'counter',
    value: (_i, t) => {
      const m = minutesAgo(t);
      return m > sinceMinAgo ? 0 : Math.floor((sinceMinAgo - m) / everyMin) + 1;
    },
  };
}

const ksm = (labels: Record<string, string>) => ({ job: 'kube-state-metrics', ...labels });
export const state = (metric: string, labels: Record<string, string>, f: (m: number) => number | null) =>
  gauge(metric, ksm(labels), f);

/**
 * The alert's own ALERTS and ALERTS_FOR_STATE series as Prometheus writes them while a rule is
 * firing: present during each episode, activeAt (the episode's start) as ALERTS_FOR_STATE value.
 */
export function alertHistory(
  labels: Record<string, string>,
  episodes: [number, number][],
): SyntheticSeries[] {
  const within = (m: number) => episodes.find(([from, to]) => m <= from && m >= to);
  return [
    gauge('ALERTS', { ...labels, alertstate: 'firing' }, (m) => (within(m) ? 1 : null)),
    gauge('ALERTS_FOR_STATE', labels, (m) => {
      const e = within(m);
      return e ? Math.floor(nowSec - e[0] * 60) : null;
    }),
  ];
}

/** up of a scrape job's targets; `down(pod, minAgo)` says which are failing when. */
export function up(
  labels: Record<string, string>,
  pods: string[],
  down: (pod: string, m: number) => boolean,
): SyntheticSeries[] {
  return pods.map((pod) =>
    gauge('up', { ...labels, pod, instance: `${pod}:8080` }, (m) => (down(pod, m) ? 0 : 1)),
  );
}

// ---- Kubernetes objects

const meta = (ns: string, name: string, extra: Record<string, unknown> = {}) => ({
  name,
  namespace: ns,
  uid: `uid-${ns}-${name}`,
  ...extra,
});
const owner = (ns: string, kind: string, name: string, apiVersion = 'apps/v1') => [
  { apiVersion, kind, name, uid: `uid-${ns}-${name}`, controller: true },
];
const template = (app: string, images: string[]) => ({
  metadata: { labels: { app } },
  spec: { containers: images.map((image, i) => ({ name: i === 0 ? app : `c${i}`, image })) },
});

export interface DeploymentSpec {
  replicas: number;
  available: number;
  updated?: number;
  /** Newest first: [revision, image, createdMinAgo]. */
  revisions: [string, string, number][];
  conditions?: { type: string; status: string; reason?: string; message?: string }[];
  labels?: Record<string, string>;
}

/** A Deployment with its ReplicaSets (one per revision), as the API shows them. */
export function deployment(ns: string, name: string, d: DeploymentSpec): KubeObject[] {
  const [newest] = d.revisions;
  const out: KubeObject[] = [
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: meta(ns, name, {
        labels: { app: name, ...d.labels },
        annotations: { 'deployment.kubernetes.io/revision': newest![0] },
        creationTimestamp: ago(5000),
      }),
      spec: {
        replicas: d.replicas,
        selector: { matchLabels: { app: name } },
        template: template(name, [newest![1]]),
      },
      status: {
        replicas: d.replicas,
        readyReplicas: d.available,
        availableReplicas: d.available,
        updatedReplicas: d.updated ?? d.replicas,
        conditions: d.conditions ?? [
          { type: 'Progressing', status: 'True', reason: 'NewReplicaSetAvailable' },
        ],
      },
    },
  ];
  for (const [rev, image, created] of d.revisions) {
    out.push({
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: meta(ns, `${name}-${rsHash(rev)}`, {
        labels: { app: name },
        annotations: { 'deployment.kubernetes.io/revision': rev },
        creationTimestamp: ago(created),
        ownerReferences: owner(ns, 'Deployment', name),
      }),
      spec: { replicas: 1, selector: { matchLabels: { app: name } }, template: template(name, [image]) },
      status: { replicas: 1 },
    });
  }
  return out;
}

/** A stable pod-template-hash per revision. */
export const rsHash = (rev: string) =>
  `d9f8b6c${[...rev].map((d) => 'bcdfghjklm'[Number(d)] ?? 'x').join('')}`;

export interface ContainerSpec {
  name: string;
  image: string;
  ready?: boolean;
  restarts?: number;
  waiting?: { reason: string; message?: string };
  lastTerminated?: { reason: string; exitCode: number; finishedMinAgo?: number; message?: string };
}

export function pod(
  ns: string,
  name: string,
  o: {
    owner?: { kind: string; name: string; apiVersion?: string };
    containers: ContainerSpec[];
    phase?: string;
    node?: string;
    conditions?: { type: string; status: string; reason?: string; message?: string }[];
    createdMinAgo?: number;
    labels?: Record<string, string>;
  },
): KubeObject {
  const ready = o.containers.every((c) => c.ready ?? !c.waiting);
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: meta(ns, name, {
      labels: o.labels ?? {},
      creationTimestamp: ago(o.createdMinAgo ?? 300),
      ...(o.owner ? { ownerReferences: owner(ns, o.owner.kind, o.owner.name, o.owner.apiVersion) } : {}),
    }),
    spec: {
      nodeName: o.node ?? 'node-1',
      containers: o.containers.map((c) => ({ name: c.name, image: c.image })),
    },
    status: {
      phase: o.phase ?? 'Running',
      conditions: o.conditions ?? [{ type: 'Ready', status: ready ? 'True' : 'False' }],
      containerStatuses: o.containers.map((c) => ({
        name: c.name,
        image: c.image,
        ready: c.ready ?? !c.waiting,
        restartCount: c.restarts ?? 0,
        state: c.waiting ? { waiting: c.waiting } : { running: { startedAt: ago(30) } },
        ...(c.lastTerminated
          ? {
              lastState: {
                terminated: {
                  reason: c.lastTerminated.reason,
                  exitCode: c.lastTerminated.exitCode,
                  startedAt: ago((c.lastTerminated.finishedMinAgo ?? 2) + 1),
                  finishedAt: ago(c.lastTerminated.finishedMinAgo ?? 2),
                  ...(c.lastTerminated.message ? { message: c.lastTerminated.message } : {}),
                },
              },
            }
          : {}),
      })),
    },
  };
}

let eventSeq = 0;
export function event(
  ns: string,
  on: { kind: string; name: string },
  reason: string,
  message: string,
  o: { count?: number; type?: string; lastMinAgo?: number } = {},
): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: meta(ns, `${on.name}.${(eventSeq++).toString(16)}`),
    involvedObject: { kind: on.kind, name: on.name, namespace: ns },
    reason,
    message,
    type: o.type ?? 'Warning',
    count: o.count ?? 1,
    firstTimestamp: ago((o.lastMinAgo ?? 1) + 10),
    lastTimestamp: ago(o.lastMinAgo ?? 1),
  };
}

export function job(
  ns: string,
  name: string,
  o: {
    image: string;
    createdMinAgo: number;
    failed: number;
    succeeded?: number;
    condition?: { type: string; reason: string; message: string };
    cronJob?: string;
  },
): KubeObject {
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: meta(ns, name, {
      creationTimestamp: ago(o.createdMinAgo),
      labels: { 'job-name': name },
      ...(o.cronJob ? { ownerReferences: owner(ns, 'CronJob', o.cronJob, 'batch/v1') } : {}),
    }),
    spec: { completions: 1, backoffLimit: 3, template: template(name, [o.image]) },
    status: {
      failed: o.failed,
      succeeded: o.succeeded ?? 0,
      startTime: ago(o.createdMinAgo),
      conditions: o.condition ? [{ ...o.condition, status: 'True' }] : [],
    },
  };
}

export function cronJob(ns: string, name: string, image: string): KubeObject {
  return {
    apiVersion: 'batch/v1',
    kind: 'CronJob',
    metadata: meta(ns, name, { creationTimestamp: ago(50_000) }),
    spec: { schedule: '*/30 * * * *', jobTemplate: { spec: { template: template(name, [image]) } } },
    status: {},
  };
}

export function node(
  name: string,
  conditions: { type: string; status: string; reason?: string; message?: string }[],
  o: { unschedulable?: boolean } = {},
): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, uid: `uid-${name}`, labels: { 'kubernetes.io/hostname': name } },
    spec: o.unschedulable ? { unschedulable: true } : {},
    status: { conditions, nodeInfo: { kubeletVersion: 'v1.31.2' } },
  };
}

// ---- logs

export function lines(fields: Record<string, string>, msgs: [number, string][]): LogEntry[] {
  return msgs.map(([minAgo, msg]) => ({ time: new Date(NOW - minAgo * 60_000), fields, msg }));
}

export const previous = (msgs: [number, string][]) => msgs.map(([m, line]) => ({ time: ago(m), line }));

/** kube-prometheus' graph link for a rule expression. */
export const generatorURL = (expr: string) =>
  `http://prometheus.monitoring.svc:9090/graph?g0.expr=${encodeURIComponent(expr)}&g0.tab=1`;
