// PromQL used both to collect evidence and as copy-ready next steps. Every label value passes
// through selector()/escapeRegex; nothing from an alert is spliced into a query raw.
// Prometheus external labels (`cluster`, `prometheus`) are deliberately left out: they appear on
// alerts but not on the series stored in the Prometheus that is queried.

import { escapeRegex, selector } from '../collectors/promql.js';
import type { WorkloadKind } from '../collectors/evidence.js';

type Matchers = Record<string, string | { re: string }>;

/** Only the matchers whose values are known. */
function sel(m: Record<string, string | { re: string } | null | undefined>): string {
  const out: Matchers = {};
  for (const [k, v] of Object.entries(m)) if (v != null) out[k] = v;
  return selector(out);
}

export interface ContainerScope {
  namespace: string;
  pod?: string | null;
  container?: string | null;
}

const containerSel = (s: ContainerScope, extra: Matchers = {}) =>
  sel({ namespace: s.namespace, pod: s.pod, container: s.container, ...extra });

// cAdvisor also exports a pod-level cgroup series with container=""; keep only real containers.
const cadvisorSel = (s: ContainerScope) => containerSel(s, s.container ? {} : { container: { re: '.+' } });

// State metrics (reasons, limits, phases) are read with last_over_time over the window: instant
// queries run at the window's end, by which time a deleted pod's series (or those of a restarted
// exporter) may have vanished although they were there while the alert fired.
const last = (series: string, lookback: string) => `last_over_time(${series}[${lookback}])`;

/** Pods of a workload: generated names start with `<workload>-`. */
export function podsOf(name: string): { re: string } {
  return { re: `${escapeRegex(name)}-.*` };
}

const REPLICA_METRICS: Partial<Record<WorkloadKind, [string, string[]]>> = {
  Deployment: [
    'deployment',
    [
      'kube_deployment_spec_replicas',
      'kube_deployment_status_replicas_available',
      'kube_deployment_status_replicas_updated',
    ],
  ],
  StatefulSet: [
    'statefulset',
    [
      'kube_statefulset_replicas',
      'kube_statefulset_status_replicas_ready',
      'kube_statefulset_status_replicas_updated',
    ],
  ],
  DaemonSet: [
    'daemonset',
    [
      'kube_daemonset_status_desired_number_scheduled',
      'kube_daemonset_status_number_available',
      'kube_daemonset_status_updated_number_scheduled',
    ],
  ],
};

export const q = {
  restarts: (s: ContainerScope) => `kube_pod_container_status_restarts_total${containerSel(s)}`,
  restartsIncrease: (s: ContainerScope, range: string) =>
    `increase(kube_pod_container_status_restarts_total${containerSel(s)}[${range}])`,
  lastTerminatedReason: (s: ContainerScope, lb: string) =>
    `${last(`kube_pod_container_status_last_terminated_reason${containerSel(s)}`, lb)} == 1`,
  lastTerminatedExitCode: (s: ContainerScope, lb: string) =>
    last(`kube_pod_container_status_last_terminated_exitcode${containerSel(s)}`, lb),
  waitingReason: (s: ContainerScope, lb: string) =>
    `${last(`kube_pod_container_status_waiting_reason${containerSel(s)}`, lb)} > 0`,
  podPhase: (ns: string, pod: string, lb: string) =>
    `${last(`kube_pod_status_phase${sel({ namespace: ns, pod })}`, lb)} == 1`,
  podReady: (ns: string, pod: string) =>
    `kube_pod_status_ready${sel({ namespace: ns, pod, condition: 'true' })}`,
  memoryWorkingSet: (s: ContainerScope) => `container_memory_working_set_bytes${cadvisorSel(s)}`,
  memoryLimit: (s: ContainerScope, lb: string) =>
    last(`kube_pod_container_resource_limits${containerSel(s, { resource: 'memory' })}`, lb),
  memoryVsLimit: (s: ContainerScope, range: string) =>
    `max by (namespace, pod, container) (max_over_time(container_memory_working_set_bytes${cadvisorSel(s)}[${range}])) / on (namespace, pod, container) kube_pod_container_resource_limits${containerSel(s, { resource: 'memory' })}`,
  cpuThrottling: (s: ContainerScope) => {
    const m = cadvisorSel(s);
    const by = 'sum by (namespace, pod, container)';
    return `${by} (increase(container_cpu_cfs_throttled_periods_total${m}[5m])) / ${by} (increase(container_cpu_cfs_periods_total${m}[5m]))`;
  },
  cpuUsage: (s: ContainerScope) =>
    `sum by (namespace, pod, container) (rate(container_cpu_usage_seconds_total${cadvisorSel(s)}[5m]))`,
  cpuLimit: (s: ContainerScope, lb: string) =>
    last(`kube_pod_container_resource_limits${containerSel(s, { resource: 'cpu' })}`, lb),

  http5xxRatio: (m: Record<string, string>) =>
    `sum(rate(http_requests_total${sel({ ...m, code: { re: '5..' } })}[5m])) / sum(rate(http_requests_total${sel(m)}[5m]))`,
  http5xxByCode: (m: Record<string, string>) =>
    `sum by (code) (rate(http_requests_total${sel({ ...m, code: { re: '5..' } })}[5m]))`,
  httpLatencyP99: (m: Record<string, string>) =>
    `histogram_quantile(0.99, sum by (le) (rate(http_request_duration_seconds_bucket${sel(m)}[5m])))`,

  workloadRestarts: (ns: string, workload: string) =>
    `sum by (pod) (kube_pod_container_status_restarts_total${sel({ namespace: ns, pod: podsOf(workload) })})`,
  workloadWaiting: (ns: string, workload: string, lb: string) =>
    `${last(`kube_pod_container_status_waiting_reason${sel({ namespace: ns, pod: podsOf(workload) })}`, lb)} > 0`,
  /**
   * One selector over several metric names: `a or b` would drop b, whose label set (without the
   * name) equals a's; a `__name__` regex keeps every series with its name.
   */
  replicas: (ns: string, kind: WorkloadKind, name: string): string | null => {
    const spec = REPLICA_METRICS[kind];
    if (!spec) return null;
    return sel({ __name__: { re: spec[1].join('|') }, namespace: ns, [spec[0]]: name });
  },
  rolloutCondition: (ns: string, deployment: string, lb: string) =>
    `${last(`kube_deployment_status_condition${sel({ namespace: ns, deployment, condition: 'Progressing' })}`, lb)} == 1`,

  up: (m: Record<string, string>) => `up${sel(m)}`,
  /** Raw series under one `__name__` selector, so a range query keeps each metric's name. */
  jobStatus: (ns: string, job: string) =>
    sel({
      __name__: { re: 'kube_job_status_(failed|succeeded|active)' },
      namespace: ns,
      job_name: job,
    }),

  nodeConditions: (node: string, lb: string) =>
    `${last(`kube_node_status_condition${sel({ node, status: 'true' })}`, lb)} == 1`,
  nodeReady: (node: string) =>
    `kube_node_status_condition${sel({ node, condition: 'Ready', status: 'true' })}`,
  podsOnNode: (node: string, lb: string) =>
    `count by (namespace) (${last(`kube_pod_info${sel({ node })}`, lb)})`,
  nodeFilesystem: (instance: string, mountpoint?: string | null) => {
    const m = sel({ instance, mountpoint, fstype: { re: '.+' } });
    return `node_filesystem_avail_bytes${m} / node_filesystem_size_bytes${m}`;
  },
  nodeMemory: (instance: string) => {
    const m = sel({ instance });
    return `node_memory_MemAvailable_bytes${m} / node_memory_MemTotal_bytes${m}`;
  },
  clusterMemoryRequests: () =>
    `sum(kube_pod_container_resource_requests{resource="memory"}) / sum(kube_node_status_allocatable{resource="memory"})`,
};
