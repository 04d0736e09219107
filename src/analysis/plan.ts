// What to collect for an alert, decided from the alert alone (the preliminary family). PromQL
// comes first because it is cheap and historical; Kubernetes and logs add the current state and
// the application's own account. Requests only use label values that are present: nothing is
// guessed except a Deployment named after a Service, which is marked as such in its title.

import type { EvidenceRequest } from '../collectors/evidence.js';
import { alertExpression, alertName, stepFor, windowRange, type AlertInput, type Window } from './alert.js';
import type { Family, FamilyDecision } from './family.js';
import { POD_FAMILIES } from '../contract/taxonomy.js';
import { EV } from './ids.js';
import { q, type ContainerScope } from './queries.js';
import { subjectLabels, workloadFromLabels, type WorkloadRef } from './target.js';

// Families whose workload is worth reading even when the alert is about a single pod: rollout
// history is the first thing an SRE checks when something starts failing.
const WORKLOAD_FAMILIES: readonly Family[] = [
  'crashloop',
  'oom_killed',
  'pod_not_healthy',
  'http_5xx',
  'target_down',
  'job_failed',
  'rollout_mismatch',
  'memory_pressure',
  'cpu_throttling',
  'generic',
];
const SERVICE_FAMILIES: readonly Family[] = ['http_5xx', 'target_down'];

export function planEvidence(
  alert: AlertInput,
  preliminary: Family | FamilyDecision,
  window: Window,
): EvidenceRequest[] {
  const family = typeof preliminary === 'string' ? preliminary : preliminary.family;
  const sub = typeof preliminary === 'string' ? null : preliminary.subReason;
  const labels = subjectLabels(alert.labels);
  const name = alertName(alert);
  const step = stepFor(window);
  const lb = windowRange(window);
  const ns = labels.namespace;
  const pod = labels.pod;
  const container = labels.container;
  const c: ContainerScope | null = ns && pod ? { namespace: ns, pod, container } : null;
  const where = c ? `${ns}/${pod}${container ? ` (${container})` : ''}` : '';
  const workload = workloadFromLabels(labels, { guessFromService: SERVICE_FAMILIES.includes(family) });
  const wName = workload ? `${workload.kind} ${ns ?? ''}/${workload.name}` : '';

  const reqs: EvidenceRequest[] = [];
  const range = (id: string, title: string, query: string | null) => {
    if (query) reqs.push({ id, title, source: 'prometheus', kind: 'range', query, stepSeconds: step });
  };
  const instant = (id: string, title: string, query: string | null) => {
    if (query) reqs.push({ id, title, source: 'prometheus', kind: 'instant', query });
  };

  // The alert's own rule, as a range: shows when it was true and whether it flaps.
  const expr = alertExpression(alert.generatorURL);
  if (expr) range(EV.alertExpr, `Alert rule expression (${name}) over the window`, expr);

  if (family !== 'meta') {
    if (c && POD_FAMILIES.includes(family)) {
      if (family !== 'cpu_throttling') {
        range(EV.restarts, `Container restarts of ${where}`, q.restarts(c));
        instant(EV.lastTerminated, `Last termination reason of ${where}`, q.lastTerminatedReason(c, lb));
        instant(EV.exitCode, `Last exit code of ${where}`, q.lastTerminatedExitCode(c, lb));
        instant(EV.waiting, `Waiting reason of ${where}`, q.waitingReason(c, lb));
      }
      if (family === 'crashloop' || family === 'oom_killed' || family === 'memory_pressure') {
        range(EV.memory, `Memory working set of ${where}`, q.memoryWorkingSet(c));
        instant(EV.memoryLimit, `Memory limit of ${where}`, q.memoryLimit(c, lb));
      }
      if (family === 'cpu_throttling') {
        range(EV.throttling, `CPU throttling ratio of ${where}`, q.cpuThrottling(c));
        range(EV.cpuUsage, `CPU usage (cores) of ${where}`, q.cpuUsage(c));
        instant(EV.cpuLimit, `CPU limit of ${where}`, q.cpuLimit(c, lb));
      }
      if (family === 'pod_not_healthy') {
        instant(EV.podPhase, `Phase of pod ${ns}/${pod}`, q.podPhase(c.namespace, pod!, lb));
        range(EV.podReady, `Readiness of pod ${ns}/${pod}`, q.podReady(c.namespace, pod!));
      }
    }
    planFamilyPromQL(family, sub, labels, workload, wName, lb, range, instant);
    if (ns && workload && ['crashloop', 'oom_killed', 'http_5xx', 'target_down'].includes(family)) {
      range(EV.workloadRestarts, `Restarts across pods of ${wName}`, q.workloadRestarts(ns, workload.name));
    }
  }

  reqs.push({
    id: EV.amAlerts,
    title: `Alertmanager: all ${name} alerts (blast radius)`,
    source: 'alertmanager',
    kind: 'alerts',
    alertname: name,
  });
  reqs.push({
    id: EV.amSilences,
    title: `Alertmanager: silences for ${name}`,
    source: 'alertmanager',
    kind: 'silences',
    alertname: name,
  });
  if (family === 'meta') return reqs;

  if (ns && pod) {
    reqs.push({
      id: EV.pod,
      title: `Pod ${ns}/${pod}`,
      source: 'kubernetes',
      kind: 'pod',
      namespace: ns,
      pod,
    });
    reqs.push({
      id: EV.podEvents,
      title: `Events for pod ${ns}/${pod}`,
      source: 'kubernetes',
      kind: 'events',
      namespace: ns,
      involvedName: pod,
    });
  }
  if (ns && workload && WORKLOAD_FAMILIES.includes(family)) {
    const guessed = workload.source === 'service-name' ? ' (guessed from the service label)' : '';
    reqs.push({
      id: EV.workload,
      title: `${workload.kind} ${ns}/${workload.name}${guessed}: replicas, conditions, revisions`,
      source: 'kubernetes',
      kind: 'workload',
      namespace: ns,
      workloadKind: workload.kind,
      name: workload.name,
    });
    if (family === 'rollout_mismatch' || family === 'job_failed' || !pod) {
      reqs.push({
        id: EV.workloadEvents,
        title: `Events for ${workload.kind} ${ns}/${workload.name}`,
        source: 'kubernetes',
        kind: 'events',
        namespace: ns,
        involvedName: workload.name,
      });
    }
  }
  if (labels.node && (family === 'node_problem' || family === 'memory_pressure')) {
    reqs.push({
      id: EV.node,
      title: `Node ${labels.node}`,
      source: 'kubernetes',
      kind: 'node',
      node: labels.node,
    });
    // The kubelet records node events in the default namespace.
    reqs.push({
      id: EV.nodeEvents,
      title: `Events for node ${labels.node}`,
      source: 'kubernetes',
      kind: 'events',
      namespace: 'default',
      involvedName: labels.node,
    });
  }
  if (ns && pod && POD_FAMILIES.includes(family) && family !== 'cpu_throttling') {
    reqs.push({
      id: EV.previousLogs,
      title: `Logs of the previous (crashed) container of ${where}`,
      source: 'kubernetes',
      kind: 'previous_logs',
      namespace: ns,
      pod,
      ...(container ? { container } : {}),
      tailLines: 200,
    });
  }
  if (ns && family !== 'node_problem') {
    const scope = pod ? where : `namespace ${ns} (no pod label; may include other workloads)`;
    reqs.push({
      id: EV.logs,
      title: `Application logs of ${scope}`,
      source: 'logs',
      kind: 'logs',
      namespace: ns,
      ...(pod ? { pod } : {}),
      ...(container ? { container } : {}),
      limit: pod ? 500 : 300,
    });
  }
  return dedupe(reqs);
}

type Add = (id: string, title: string, query: string | null) => void;

/** Family PromQL that does not need a single pod: services, workloads, jobs, nodes. */
function planFamilyPromQL(
  family: Family,
  sub: string | null,
  labels: Record<string, string>,
  workload: WorkloadRef | null,
  wName: string,
  lb: string,
  range: Add,
  instant: Add,
): void {
  const ns = labels.namespace;
  const scrape: Record<string, string> = {};
  for (const k of ['namespace', 'job', 'service'] as const) if (labels[k]) scrape[k] = labels[k];
  const what = labels.service ?? labels.job ?? '';

  switch (family) {
    case 'http_5xx':
      if (labels.job || labels.service) {
        range(EV.errorRatio, `HTTP 5xx ratio of ${ns ? `${ns}/` : ''}${what}`, q.http5xxRatio(scrape));
        instant(EV.errorsByCode, `HTTP 5xx rate by status code of ${what}`, q.http5xxByCode(scrape));
        if (sub === 'latency') range(EV.latency, `p99 latency of ${what}`, q.httpLatencyP99(scrape));
      }
      break;
    case 'target_down':
      if (labels.job || labels.service) range(EV.up, `Scrape health (up) of ${what}`, q.up(scrape));
      break;
    case 'job_failed':
      if (ns && workload?.kind === 'Job') {
        range(
          EV.jobStatus,
          `Failed/succeeded/active pods of Job ${ns}/${workload.name}`,
          q.jobStatus(ns, workload.name),
        );
      }
      break;
    case 'rollout_mismatch':
      if (ns && workload) {
        range(
          EV.replicas,
          `Desired/available/updated replicas of ${wName}`,
          q.replicas(ns, workload.kind, workload.name),
        );
        if (workload.kind === 'Deployment')
          instant(
            EV.rolloutCondition,
            `Progressing condition of ${wName}`,
            q.rolloutCondition(ns, workload.name, lb),
          );
        instant(
          EV.workloadWaiting,
          `Waiting reasons of pods of ${wName}`,
          q.workloadWaiting(ns, workload.name, lb),
        );
        range(EV.workloadRestarts, `Restarts across pods of ${wName}`, q.workloadRestarts(ns, workload.name));
      }
      break;
    case 'node_problem':
      if (labels.node) {
        instant(
          EV.nodeConditions,
          `Active conditions of node ${labels.node}`,
          q.nodeConditions(labels.node, lb),
        );
        range(
          EV.nodeReady,
          `Ready condition of node ${labels.node} over the window`,
          q.nodeReady(labels.node),
        );
        instant(
          EV.podsOnNode,
          `Pods scheduled on node ${labels.node}, by namespace`,
          q.podsOnNode(labels.node, lb),
        );
      }
      if (labels.instance && (sub?.startsWith('filesystem') || labels.mountpoint)) {
        range(
          EV.nodeFilesystem,
          `Free space ratio of ${labels.mountpoint ?? 'filesystems'} on ${labels.instance}`,
          q.nodeFilesystem(labels.instance, labels.mountpoint),
        );
      }
      break;
    case 'memory_pressure':
      if (labels.instance && !labels.pod) {
        range(EV.nodeMemory, `Available memory ratio of ${labels.instance}`, q.nodeMemory(labels.instance));
      }
      if (labels.node) {
        instant(
          EV.nodeConditions,
          `Active conditions of node ${labels.node}`,
          q.nodeConditions(labels.node, lb),
        );
      }
      if (sub === 'cluster_overcommit' || (!labels.pod && !labels.instance && !labels.node)) {
        instant(EV.clusterMemory, 'Cluster memory requests vs allocatable', q.clusterMemoryRequests());
      }
      break;
    default:
      break;
  }
}

function dedupe(reqs: EvidenceRequest[]): EvidenceRequest[] {
  const seen = new Set<string>();
  return reqs.filter((r) => (seen.has(r.id) ? false : (seen.add(r.id), true)));
}
