import type { SyntheticSeries } from '../../src/testkit/prometheus.js';
import type { KubeObject } from '../../src/testkit/fake-kubernetes.js';
import type { LiveSeries } from '../support/monitoring.js';

// Incident scenarios for the end-to-end test and for docs/examples: Prometheus history and live
// values, the rules that fire on them, and what the Kubernetes API would show.

const ago = (min: number) => new Date(Date.now() - min * 60_000).toISOString();
const ksm = { job: 'kube-state-metrics' };

export const rules = `groups:
  - name: e2e
    rules:
      - alert: KubePodCrashLooping
        expr: max_over_time(kube_pod_container_status_waiting_reason{job="kube-state-metrics",reason="CrashLoopBackOff"}[1m]) >= 1
        labels: { severity: warning }
        annotations:
          summary: Pod is crash looping.
          description: 'Pod {{ $labels.namespace }}/{{ $labels.pod }} ({{ $labels.container }}) is in waiting state (reason: "CrashLoopBackOff").'
      - alert: KubeJobFailed
        expr: kube_job_status_failed{job="kube-state-metrics"} > 0
        labels: { severity: warning }
        annotations:
          summary: Job failed to complete.
          description: 'Job {{ $labels.namespace }}/{{ $labels.job_name }} failed to complete.'
      - alert: HTTP5xxRateHigh
        expr: sum by (namespace, service) (rate(http_requests_total{code=~"5.."}[1m])) / sum by (namespace, service) (rate(http_requests_total[1m])) > 0.05
        labels: { severity: critical }
        annotations:
          summary: High 5xx ratio on {{ $labels.service }}.
      - alert: Watchdog
        expr: vector(1)
        labels: { severity: none }
        annotations:
          summary: An alert that should always be firing to certify that Alertmanager is working properly.
`;

/** An hour of history: restarts climbing on the crashing pods, a failing job, a 5xx burst. */
export function history(): SyntheticSeries[] {
  const series: SyntheticSeries[] = [];
  const pod = (namespace: string, podName: string, container: string) => ({
    ...ksm,
    namespace,
    pod: podName,
    container,
  });
  series.push(
    {
      metric: 'kube_pod_container_status_restarts_total',
      labels: pod('payments', 'api-7d9f8b6c5-x2k4q', 'api'),
      type: 'counter',
      value: (i) => Math.max(0, Math.floor((i - 90) / 6)),
    },
    {
      metric: 'kube_pod_container_status_restarts_total',
      labels: pod('search', 'indexer-0', 'indexer'),
      type: 'counter',
      value: (i) => Math.max(0, Math.floor((i - 80) / 8)),
    },
    {
      metric: 'kube_pod_container_status_last_terminated_reason',
      labels: { ...pod('search', 'indexer-0', 'indexer'), reason: 'OOMKilled' },
      value: (i) => (i > 80 ? 1 : 0),
    },
    {
      metric: 'container_memory_working_set_bytes',
      labels: { namespace: 'search', pod: 'indexer-0', container: 'indexer' },
      value: (i) => 400e6 + (i % 8) * 14e6,
    },
    {
      metric: 'kube_pod_container_resource_limits',
      labels: { ...pod('search', 'indexer-0', 'indexer'), resource: 'memory', unit: 'byte' },
      value: () => 512 * 1024 * 1024,
    },
    {
      metric: 'kube_job_status_failed',
      labels: { ...ksm, namespace: 'batch', job_name: 'nightly-report' },
      value: (i) => (i > 100 ? 1 : 0),
    },
  );
  for (const code of ['200', '500']) {
    series.push({
      metric: 'http_requests_total',
      labels: { namespace: 'shop', service: 'checkout', job: 'checkout', code },
      type: 'counter',
      value: (i) => (code === '200' ? i * 300 : Math.max(0, i - 100) * 60),
    });
  }
  return series;
}

/** What the exporter says now; counters continue from the history's last values. */
export function live(tick: number): LiveSeries[] {
  const pod = (namespace: string, podName: string, container: string) => ({
    ...ksm,
    namespace,
    pod: podName,
    container,
  });
  return [
    {
      metric: 'kube_pod_container_status_waiting_reason',
      labels: { ...pod('payments', 'api-7d9f8b6c5-x2k4q', 'api'), reason: 'CrashLoopBackOff' },
      value: 1,
    },
    {
      metric: 'kube_pod_container_status_waiting_reason',
      labels: { ...pod('search', 'indexer-0', 'indexer'), reason: 'CrashLoopBackOff' },
      value: 1,
    },
    {
      metric: 'kube_pod_container_status_restarts_total',
      labels: pod('payments', 'api-7d9f8b6c5-x2k4q', 'api'),
      value: 5 + tick,
      type: 'counter',
    },
    {
      metric: 'kube_pod_container_status_restarts_total',
      labels: pod('search', 'indexer-0', 'indexer'),
      value: 5 + tick,
      type: 'counter',
    },
    {
      metric: 'kube_pod_container_status_last_terminated_reason',
      labels: { ...pod('search', 'indexer-0', 'indexer'), reason: 'OOMKilled' },
      value: 1,
    },
    {
      metric: 'kube_job_status_failed',
      labels: { ...ksm, namespace: 'batch', job_name: 'nightly-report' },
      value: 1,
    },
    {
      metric: 'http_requests_total',
      labels: { namespace: 'shop', service: 'checkout', job: 'checkout', code: '200' },
      value: 36_000 + tick * 600,
      type: 'counter',
    },
    {
      metric: 'http_requests_total',
      labels: { namespace: 'shop', service: 'checkout', job: 'checkout', code: '500' },
      value: 1_200 + tick * 120,
      type: 'counter',
    },
  ];
}

/** The payments API: a Deployment rolled out 10 minutes ago whose new pods cannot reach the database. */
export function cluster(): { objects: KubeObject[]; previousLogs: { time: string; line: string }[] } {
  const ns = 'payments';
  const meta = (name: string, extra: Record<string, unknown> = {}) => ({
    name,
    namespace: ns,
    uid: `uid-${name}`,
    ...extra,
  });
  const template = (image: string) => ({
    metadata: { labels: { app: 'api' } },
    spec: { containers: [{ name: 'api', image }] },
  });
  const deployment: KubeObject = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: meta('api', {
      labels: { app: 'api', team: 'payments' },
      annotations: { 'deployment.kubernetes.io/revision': '7' },
      creationTimestamp: ago(600),
    }),
    spec: {
      replicas: 3,
      selector: { matchLabels: { app: 'api' } },
      template: template('registry.example.com/payments/api:2.8.0'),
    },
    status: {
      replicas: 3,
      readyReplicas: 2,
      updatedReplicas: 1,
      availableReplicas: 2,
      conditions: [
        {
          type: 'Progressing',
          status: 'True',
          reason: 'ReplicaSetUpdated',
          message: 'ReplicaSet "api-7d9f8b6c5" is progressing.',
        },
      ],
    },
  };
  const rs = (name: string, revision: string, image: string, created: string): KubeObject => ({
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: meta(name, {
      labels: { app: 'api' },
      annotations: { 'deployment.kubernetes.io/revision': revision },
      creationTimestamp: created,
      ownerReferences: [
        { apiVersion: 'apps/v1', kind: 'Deployment', name: 'api', uid: 'uid-api', controller: true },
      ],
    }),
    spec: { replicas: 1, selector: { matchLabels: { app: 'api' } }, template: template(image) },
    status: { replicas: 1 },
  });
  const pod: KubeObject = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: meta('api-7d9f8b6c5-x2k4q', {
      labels: { app: 'api', 'pod-template-hash': '7d9f8b6c5', team: 'payments' },
      creationTimestamp: ago(10),
      ownerReferences: [
        {
          apiVersion: 'apps/v1',
          kind: 'ReplicaSet',
          name: 'api-7d9f8b6c5',
          uid: 'uid-api-7d9f8b6c5',
          controller: true,
        },
      ],
    }),
    spec: {
      nodeName: 'node-3',
      containers: [{ name: 'api', image: 'registry.example.com/payments/api:2.8.0' }],
    },
    status: {
      phase: 'Running',
      conditions: [
        {
          type: 'Ready',
          status: 'False',
          reason: 'ContainersNotReady',
          message: 'containers with unready status: [api]',
        },
      ],
      containerStatuses: [
        {
          name: 'api',
          image: 'registry.example.com/payments/api:2.8.0',
          ready: false,
          restartCount: 6,
          state: {
            waiting: {
              reason: 'CrashLoopBackOff',
              message: 'back-off 2m40s restarting failed container=api',
            },
          },
          lastState: { terminated: { exitCode: 1, reason: 'Error', startedAt: ago(3), finishedAt: ago(2) } },
        },
      ],
    },
  };
  const event = (name: string, reason: string, message: string, type = 'Warning'): KubeObject => ({
    apiVersion: 'v1',
    kind: 'Event',
    metadata: meta(name),
    involvedObject: { kind: 'Pod', name: 'api-7d9f8b6c5-x2k4q', namespace: ns },
    reason,
    message,
    type,
    count: 6,
    firstTimestamp: ago(9),
    lastTimestamp: ago(1),
  });
  return {
    objects: [
      deployment,
      rs('api-7d9f8b6c5', '7', 'registry.example.com/payments/api:2.8.0', ago(10)),
      rs('api-5c6b7d8e9', '6', 'registry.example.com/payments/api:2.7.3', ago(2000)),
      pod,
      event('e1', 'BackOff', 'Back-off restarting failed container api in pod api-7d9f8b6c5-x2k4q'),
      event('e2', 'Unhealthy', 'Readiness probe failed: HTTP probe failed with statuscode: 503'),
    ],
    previousLogs: [
      { time: ago(2.5), line: 'INFO starting payments-api 2.8.0' },
      { time: ago(2.4), line: 'INFO connecting to postgres at payments-db.payments.svc:5432' },
      {
        time: ago(2.3),
        line: 'ERROR failed to connect to database: dial tcp 10.96.12.7:5432: connect: connection refused',
      },
      {
        time: ago(2.2),
        line: 'FATAL cannot start without database: dial tcp 10.96.12.7:5432: connect: connection refused',
      },
    ],
  };
}
