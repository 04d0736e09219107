// What the alert is about: the pod, workload, service, node or cluster, plus who owns it.

import type { EvidenceItem, PodData, WorkloadKind } from '../collectors/evidence.js';
import type { AlertInput } from './alert.js';
import type { Family } from '../contract/taxonomy.js';
import { EV } from './ids.js';
import { view } from './view.js';

export type TargetKind = 'pod' | 'workload' | 'service' | 'node' | 'cluster';

export interface WorkloadRef {
  kind: WorkloadKind;
  name: string;
  /** How we know: the pod's owner chain is fact; the others are derived and may be wrong. */
  source: 'owner-chain' | 'evidence' | 'label' | 'pod-name' | 'service-name';
}

export interface Attribution {
  value: string;
  source: string;
}

export interface Target {
  kind: TargetKind;
  name: string;
  display: string;
  namespace: string | null;
  pod: string | null;
  container: string | null;
  workload: WorkloadRef | null;
  service: string | null;
  node: string | null;
  cluster: string | null;
  team: Attribution | null;
  environment: Attribution | null;
}

const WORKLOAD_KINDS: readonly WorkloadKind[] = [
  'Deployment',
  'StatefulSet',
  'DaemonSet',
  'Job',
  'CronJob',
  'ReplicaSet',
];

// Kubernetes generates name suffixes from this alphabet (no vowels, no 0/1/3 to avoid words).
const RAND = '[bcdfghjklmnpqrstvwxz2456789]';
const DEPLOYMENT_POD = new RegExp(`^(.+)-${RAND}{6,10}-${RAND}{5}$`);
const REPLICASET = new RegExp(`^(.+)-${RAND}{6,10}$`);
const CRONJOB_JOB_POD = new RegExp(`^(.+-\\d{8,})-${RAND}{5}$`);
const STATEFULSET_POD = /^(.+)-(\d+)$/;
const CRONJOB_JOB = /^(.+)-\d{8,}$/;

/**
 * Pod and container labels that describe the exporter rather than the subject. kube-state-metrics
 * scraped without honorLabels stamps its own pod on every series; those must not be investigated.
 */
export function subjectLabels(labels: Record<string, string>): Record<string, string> {
  const exporter = labels.container === 'kube-state-metrics' || labels.container === 'node-exporter';
  if (!exporter) return labels;
  const rest = { ...labels };
  delete rest.pod;
  delete rest.container;
  return rest;
}

/** Workload from alert labels, then from the pod name's generated suffixes. */
export function workloadFromLabels(
  raw: Record<string, string>,
  opts: { guessFromService?: boolean } = {},
): WorkloadRef | null {
  const labels = subjectLabels(raw);
  const direct: [string, WorkloadKind][] = [
    ['deployment', 'Deployment'],
    ['statefulset', 'StatefulSet'],
    ['daemonset', 'DaemonSet'],
    // kube-state-metrics: `job` is the scrape job; the batch Job's name is in `job_name`.
    ['job_name', 'Job'],
    ['cronjob', 'CronJob'],
  ];
  for (const [label, kind] of direct) {
    const name = labels[label];
    if (name) return { kind, name, source: 'label' };
  }
  if (labels.replicaset) {
    const m = REPLICASET.exec(labels.replicaset);
    return m
      ? { kind: 'Deployment', name: m[1]!, source: 'pod-name' }
      : { kind: 'ReplicaSet', name: labels.replicaset, source: 'label' };
  }
  if (labels.pod) {
    const fromPod = workloadFromPodName(labels.pod);
    if (fromPod) return fromPod;
  }
  if (opts.guessFromService && labels.service && labels.namespace) {
    // Convention, not fact: most Services front a Deployment of the same name.
    return { kind: 'Deployment', name: labels.service, source: 'service-name' };
  }
  return null;
}

/** Derives the controller from generated pod names; ambiguous shapes (DaemonSet vs Job) give null. */
export function workloadFromPodName(pod: string): WorkloadRef | null {
  let m = DEPLOYMENT_POD.exec(pod);
  if (m) return { kind: 'Deployment', name: m[1]!, source: 'pod-name' };
  m = CRONJOB_JOB_POD.exec(pod);
  if (m) return { kind: 'Job', name: m[1]!, source: 'pod-name' };
  m = STATEFULSET_POD.exec(pod);
  if (m) return { kind: 'StatefulSet', name: m[1]!, source: 'pod-name' };
  return null;
}

/** The topmost controller in the pod's owner chain (ReplicaSet → Deployment gives Deployment). */
export function ownerWorkload(pod: PodData): WorkloadRef | null {
  const owners = pod.owners.filter((o) => (WORKLOAD_KINDS as readonly string[]).includes(o.kind));
  const top = owners[owners.length - 1];
  return top ? { kind: top.kind as WorkloadKind, name: top.name, source: 'owner-chain' } : null;
}

/** The CronJob that created a Job, judging by the scheduled-time suffix. */
export function cronJobOf(jobName: string): string | null {
  return CRONJOB_JOB.exec(jobName)?.[1] ?? null;
}

const TEAM_KEYS = ['team', 'owner', 'squad'];
const ENV_KEYS = ['env', 'environment'];
const K8S_TEAM_KEYS = ['team', 'owner', 'squad', 'app.kubernetes.io/team', 'app.kubernetes.io/part-of'];
const K8S_ENV_KEYS = ['env', 'environment', 'app.kubernetes.io/environment'];

function attribute(
  alertLabels: Record<string, string>,
  alertKeys: string[],
  k8s: [string, Record<string, string>][],
  k8sKeys: string[],
): Attribution | null {
  for (const key of alertKeys) {
    const v = alertLabels[key];
    if (v) return { value: v, source: `alert label ${key}` };
  }
  for (const key of k8sKeys) {
    for (const [what, labels] of k8s) {
      const v = labels[key];
      if (v) return { value: v, source: `${what} label ${key}` };
    }
  }
  return null;
}

export function resolveTarget(
  alert: AlertInput,
  family: Family,
  evidence: readonly EvidenceItem[],
  /** From the family's module: is the alert about one pod, or about a node? */
  shape: { podSubject: boolean; nodeSubject: boolean } = { podSubject: false, nodeSubject: false },
): Target {
  const labels = subjectLabels(alert.labels);
  const ns = labels.namespace ?? null;
  const pod = view.pod(evidence, EV.pod)?.data ?? null;
  const workloadEv = view.workload(evidence, EV.workload)?.data ?? null;

  let workload: WorkloadRef | null = (pod && ownerWorkload(pod)) ?? null;
  if (!workload) {
    const derived = workloadFromLabels(labels, { guessFromService: true });
    // A guessed workload is only kept when the API confirmed it exists.
    if (derived && workloadEv && workloadEv.name === derived.name)
      workload = { kind: workloadEv.kind, name: workloadEv.name, source: derived.source };
    else if (derived && derived.source !== 'service-name') workload = derived;
  }

  const nodeEv = view.node(evidence, EV.node)?.data ?? null;
  const node = labels.node ?? pod?.node ?? nodeEv?.name ?? null;
  const base = {
    namespace: ns,
    pod: labels.pod ?? null,
    container: labels.container ?? null,
    workload,
    service: labels.service ?? null,
    node,
    cluster: labels.cluster ?? null,
    team: attribute(
      labels,
      TEAM_KEYS,
      [
        ['workload', workloadEv?.labels ?? {}],
        ['pod', pod?.labels ?? {}],
      ],
      K8S_TEAM_KEYS,
    ),
    environment: attribute(
      labels,
      ENV_KEYS,
      [
        ['workload', workloadEv?.labels ?? {}],
        ['pod', pod?.labels ?? {}],
      ],
      K8S_ENV_KEYS,
    ),
  };
  const qual = (name: string) => (ns ? `${ns}/${name}` : name);
  const workloadText = (w: WorkloadRef) => {
    const parent = w.kind === 'Job' ? cronJobOf(w.name) : null;
    return `${w.kind} ${qual(w.name)}${parent ? ` (CronJob ${qual(parent)})` : ''}`;
  };

  const wantsPod = shape.podSubject;
  const nodeAlert = shape.nodeSubject;
  if (base.pod && (wantsPod || !workload)) {
    return {
      ...base,
      kind: 'pod',
      name: qual(base.pod),
      display: `${qual(base.pod)}${workload ? ` (${workloadText(workload)})` : ''}`,
    };
  }
  if (workload && !nodeAlert && (family !== 'http_5xx' || !base.service)) {
    return { ...base, kind: 'workload', name: qual(workload.name), display: workloadText(workload) };
  }
  // Node-exporter alerts (filesystem, node memory) carry a scrape job but are about the host.
  if (nodeAlert || (!base.service && !labels.job && (labels.node || labels.instance))) {
    const n = labels.node ?? labels.instance ?? node;
    if (n) return { ...base, node: n, kind: 'node', name: n, display: `Node ${n}` };
  }
  if (base.service) {
    return { ...base, kind: 'service', name: qual(base.service), display: `Service ${qual(base.service)}` };
  }
  if (labels.job && family !== 'meta') {
    const instance = labels.instance ? ` (instance ${labels.instance})` : '';
    return {
      ...base,
      kind: 'service',
      name: labels.job,
      display: `Scrape job ${qual(labels.job)}${instance}`,
    };
  }
  const cluster = base.cluster;
  return {
    ...base,
    kind: 'cluster',
    name: cluster ?? 'cluster',
    display: cluster ? `Cluster ${cluster}` : 'Cluster (no cluster label)',
  };
}
