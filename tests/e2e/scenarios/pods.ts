import {
  alertHistory,
  deployment,
  event,
  gauge,
  lines,
  pod,
  previous,
  restarts,
  rsHash,
  state,
  type Scenario,
} from './kit.js';

// Crash loops, OOM kills and unhealthy pods.

const EXT = { cluster: 'prod-eu-1', prometheus: 'monitoring/k8s' };
const CRASH_EXPR =
  'max_over_time(kube_pod_container_status_waiting_reason{job="kube-state-metrics",reason="CrashLoopBackOff"}[5m]) >= 1';
const NOT_READY_EXPR =
  'sum by (namespace, pod) (max by (namespace, pod) (kube_pod_status_phase{job="kube-state-metrics",phase=~"Pending|Unknown|Failed"})) > 0';
const WAITING_EXPR =
  'sum by (namespace, pod, container) (kube_pod_container_status_waiting_reason{job="kube-state-metrics"}) > 0';

function crashLabels(ns: string, podName: string, container: string) {
  return {
    alertname: 'KubePodCrashLooping',
    namespace: ns,
    pod: podName,
    container,
    job: 'kube-state-metrics',
    reason: 'CrashLoopBackOff',
    severity: 'warning',
    ...EXT,
  };
}

/** Series of a crash-looping container: waiting reason, restarts, last termination, memory. */
function crashSeries(
  ns: string,
  podName: string,
  container: string,
  o: {
    since: number;
    every: number;
    reason: string;
    exitCode: number;
    memory?: (m: number) => number;
    limit?: number;
  },
) {
  const l = { namespace: ns, pod: podName, container };
  return [
    state('kube_pod_container_status_waiting_reason', { ...l, reason: 'CrashLoopBackOff' }, (m) =>
      m <= o.since - 3 ? 1 : null,
    ),
    restarts(l, o.since, o.every),
    state('kube_pod_container_status_last_terminated_reason', { ...l, reason: o.reason }, (m) =>
      m <= o.since ? 1 : null,
    ),
    state('kube_pod_container_status_last_terminated_exitcode', l, (m) => (m <= o.since ? o.exitCode : null)),
    gauge('container_memory_working_set_bytes', { ...l, job: 'kubelet' }, o.memory ?? (() => 180e6)),
    ...(o.limit
      ? [
          state(
            'kube_pod_container_resource_limits',
            { ...l, resource: 'memory', unit: 'byte' },
            () => o.limit!,
          ),
        ]
      : []),
    ...alertHistory(crashLabels(ns, podName, container), [[o.since - 5, 0]]),
  ];
}

const podOf = (name: string, rev: string, suffix: string) => `${name}-${rsHash(rev)}-${suffix}`;

export const podScenarios: Scenario[] = [
  (() => {
    const ns = 'payments';
    const p = podOf('api', '8', 'x2k4q');
    return {
      name: 'crashloop after rollout: database refuses connections',
      story: 'api 2.8.0 rolled out 14 min ago; its new pod exits 1 because the database refuses connections',
      alert: { labels: crashLabels(ns, p, 'api'), expr: CRASH_EXPR, startedMinAgo: 10 },
      series: crashSeries(ns, p, 'api', { since: 13, every: 3, reason: 'Error', exitCode: 1 }),
      kube: [
        ...deployment(ns, 'api', {
          replicas: 3,
          available: 2,
          updated: 1,
          revisions: [
            ['8', 'registry.example.com/payments/api:2.8.0', 14],
            ['7', 'registry.example.com/payments/api:2.7.3', 4000],
          ],
        }),
        pod(ns, p, {
          owner: { kind: 'ReplicaSet', name: `api-${rsHash('8')}` },
          createdMinAgo: 14,
          containers: [
            {
              name: 'api',
              image: 'registry.example.com/payments/api:2.8.0',
              restarts: 5,
              waiting: { reason: 'CrashLoopBackOff', message: 'back-off 2m40s restarting failed container' },
              lastTerminated: { reason: 'Error', exitCode: 1 },
            },
          ],
        }),
        event(
          ns,
          { kind: 'Pod', name: p },
          'BackOff',
          `Back-off restarting failed container api in pod ${p}`,
          { count: 6 },
        ),
      ],
      podLogs: [
        {
          namespace: ns,
          pod: p,
          container: 'api',
          logs: {
            previous: previous([
              [2.5, 'INFO starting payments-api 2.8.0'],
              [
                2.4,
                'ERROR failed to connect to database: dial tcp 10.96.12.7:5432: connect: connection refused',
              ],
              [
                2.3,
                'FATAL cannot start without database: dial tcp 10.96.12.7:5432: connect: connection refused',
              ],
            ]),
          },
        },
      ],
      // Distractor: another team's pod in another namespace logs OOM errors.
      logs: lines({ namespace: 'search', pod: 'indexer-0', container: 'indexer' }, [
        [3, 'java.lang.OutOfMemoryError: Java heap space'],
      ]),
      expect: {
        family: 'crashloop',
        classification: 'actionable',
        top: 'change.rollout',
        forbidden: ['sig.out_of_memory', 'blast.shared_cause'],
        noise: { max: 49 },
        mentions: [/2\.7\.3/, /connection refused/],
      },
    };
  })(),
  (() => {
    const ns = 'ledger';
    const p = podOf('worker', '3', 'bb7qp');
    return {
      name: 'crashloop without a change: bad configuration (exit 2)',
      story:
        'worker restarts every 4 min with exit code 2, logs say a required setting is missing; no rollout in the window',
      alert: { labels: crashLabels(ns, p, 'worker'), expr: CRASH_EXPR, startedMinAgo: 25 },
      series: crashSeries(ns, p, 'worker', { since: 40, every: 4, reason: 'Error', exitCode: 2 }),
      kube: [
        ...deployment(ns, 'worker', {
          replicas: 2,
          available: 1,
          revisions: [['3', 'registry.example.com/ledger/worker:1.4.2', 9000]],
        }),
        pod(ns, p, {
          owner: { kind: 'ReplicaSet', name: `worker-${rsHash('3')}` },
          containers: [
            {
              name: 'worker',
              image: 'registry.example.com/ledger/worker:1.4.2',
              restarts: 9,
              waiting: { reason: 'CrashLoopBackOff' },
              lastTerminated: { reason: 'Error', exitCode: 2 },
            },
          ],
        }),
      ],
      podLogs: [
        {
          namespace: ns,
          pod: p,
          container: 'worker',
          logs: {
            previous: previous([
              [3, 'loading configuration from /etc/worker/config.yaml'],
              [2.9, 'FATAL configuration error: required key LEDGER_QUEUE_URL not set'],
            ]),
          },
        },
      ],
      expect: {
        family: 'crashloop',
        classification: 'actionable',
        top: 'sig.missing_config',
        forbidden: ['change.rollout', 'sig.connection_refused'],
        noise: { max: 49 },
      },
    };
  })(),
  (() => {
    const ns = 'search';
    const p = 'indexer-0';
    const limit = 512 * 1024 * 1024;
    return {
      name: 'crash loop that is really an OOM kill',
      story:
        'KubePodCrashLooping, but the container is OOMKilled: working set climbs to the 512 MiB limit each time',
      alert: { labels: crashLabels(ns, p, 'indexer'), expr: CRASH_EXPR, startedMinAgo: 20 },
      series: crashSeries(ns, p, 'indexer', {
        since: 35,
        every: 6,
        reason: 'OOMKilled',
        exitCode: 137,
        memory: (m) => 300e6 + ((60 - (m % 6) * 10) / 60) * (limit - 300e6),
        limit,
      }),
      kube: [
        {
          apiVersion: 'apps/v1',
          kind: 'StatefulSet',
          metadata: {
            name: 'indexer',
            namespace: ns,
            uid: 'uid-search-indexer',
            creationTimestamp: '2025-01-01T00:00:00Z',
          },
          spec: {
            replicas: 1,
            selector: { matchLabels: { app: 'indexer' } },
            template: {
              spec: { containers: [{ name: 'indexer', image: 'registry.example.com/search/indexer:5.1' }] },
            },
          },
          status: { replicas: 1, readyReplicas: 0, availableReplicas: 0, updatedReplicas: 1 },
        },
        pod(ns, p, {
          owner: { kind: 'StatefulSet', name: 'indexer' },
          containers: [
            {
              name: 'indexer',
              image: 'registry.example.com/search/indexer:5.1',
              restarts: 6,
              waiting: { reason: 'CrashLoopBackOff' },
              lastTerminated: { reason: 'OOMKilled', exitCode: 137 },
            },
          ],
        }),
      ],
      expect: {
        family: 'oom_killed',
        classification: 'actionable',
        top: 'oom.limit',
        forbidden: ['exit.137', 'change.rollout'],
        noise: { max: 49 },
      },
    };
  })(),
  (() => {
    const ns = 'media';
    const p = podOf('thumbnailer', '2', 'k9d2m');
    const limit = 256 * 1024 * 1024;
    const l = { namespace: ns, pod: p, container: 'thumbnailer' };
    const labels = { alertname: 'KubeContainerOOMKilled', ...l, severity: 'warning', ...EXT };
    return {
      name: 'OOM kill from a steady leak',
      story: 'thumbnailer memory grows ~100 MiB/h until its 256 MiB limit, then the kernel kills it',
      alert: {
        labels,
        expr: 'increase(container_oom_events_total{job="kubelet"}[15m]) > 0',
        startedMinAgo: 8,
      },
      series: [
        gauge('container_memory_working_set_bytes', { ...l, job: 'kubelet' }, (m) =>
          Math.min(limit * 0.99, 150e6 + (130 - m) * 1.1e6),
        ),
        state('kube_pod_container_resource_limits', { ...l, resource: 'memory', unit: 'byte' }, () => limit),
        state('kube_pod_container_status_last_terminated_reason', { ...l, reason: 'OOMKilled' }, (m) =>
          m <= 9 ? 1 : null,
        ),
        restarts(l, 9, 60),
        gauge('container_oom_events_total', { ...l, job: 'kubelet' }, (m) => (m <= 9 ? 1 : 0)),
      ],
      kube: [
        ...deployment(ns, 'thumbnailer', {
          replicas: 1,
          available: 1,
          revisions: [['2', 'registry.example.com/media/thumbnailer:0.9', 20000]],
        }),
        pod(ns, p, {
          owner: { kind: 'ReplicaSet', name: `thumbnailer-${rsHash('2')}` },
          containers: [
            {
              name: 'thumbnailer',
              image: 'registry.example.com/media/thumbnailer:0.9',
              restarts: 1,
              lastTerminated: { reason: 'OOMKilled', exitCode: 137, finishedMinAgo: 9 },
            },
          ],
        }),
      ],
      expect: {
        family: 'oom_killed',
        classification: 'actionable',
        top: 'oom.limit',
        forbidden: ['change.rollout'],
        noise: { max: 49 },
      },
    };
  })(),
  (() => {
    const ns = 'shop';
    const p = podOf('frontend', '12', 'pq8zt');
    const labels = {
      alertname: 'KubePodNotReady',
      namespace: ns,
      pod: p,
      job: 'kube-state-metrics',
      severity: 'warning',
      ...EXT,
    };
    return {
      name: 'new image tag does not exist (ImagePullBackOff)',
      story: 'frontend revision 12 points at tag 3.2.0 that was never pushed; the new pod waits on the image',
      alert: { labels, expr: NOT_READY_EXPR, startedMinAgo: 16 },
      series: [
        state('kube_pod_status_phase', { namespace: ns, pod: p, phase: 'Pending' }, (m) =>
          m <= 20 ? 1 : null,
        ),
        state('kube_pod_status_ready', { namespace: ns, pod: p, condition: 'true' }, (m) =>
          m <= 20 ? 0 : null,
        ),
        state(
          'kube_pod_container_status_waiting_reason',
          { namespace: ns, pod: p, container: 'frontend', reason: 'ImagePullBackOff' },
          (m) => (m <= 19 ? 1 : null),
        ),
      ],
      kube: [
        ...deployment(ns, 'frontend', {
          replicas: 3,
          available: 3,
          updated: 1,
          revisions: [
            ['12', 'registry.example.com/shop/frontend:3.2.0', 21],
            ['11', 'registry.example.com/shop/frontend:3.1.9', 9000],
          ],
        }),
        pod(ns, p, {
          owner: { kind: 'ReplicaSet', name: `frontend-${rsHash('12')}` },
          phase: 'Pending',
          createdMinAgo: 21,
          containers: [
            {
              name: 'frontend',
              image: 'registry.example.com/shop/frontend:3.2.0',
              waiting: {
                reason: 'ImagePullBackOff',
                message: 'Back-off pulling image "registry.example.com/shop/frontend:3.2.0"',
              },
            },
          ],
        }),
        event(
          ns,
          { kind: 'Pod', name: p },
          'Failed',
          'Failed to pull image "registry.example.com/shop/frontend:3.2.0": manifest unknown',
          { count: 8 },
        ),
      ],
      expect: {
        family: 'pod_not_healthy',
        subReason: 'image_pull',
        classification: 'actionable',
        top: 'sig.image_pull',
        forbidden: ['blast.shared_cause'],
        noise: { max: 49 },
      },
    };
  })(),
  (() => {
    const ns = 'billing';
    const p = podOf('invoicer', '5', 'r2d2c');
    const labels = {
      alertname: 'KubeContainerWaiting',
      namespace: ns,
      pod: p,
      container: 'invoicer',
      job: 'kube-state-metrics',
      severity: 'warning',
      ...EXT,
    };
    return {
      name: 'missing Secret key (CreateContainerConfigError)',
      story: 'invoicer references secret key smtp-password that is not in Secret invoicer-smtp',
      alert: { labels, expr: WAITING_EXPR, startedMinAgo: 30 },
      series: [
        state(
          'kube_pod_container_status_waiting_reason',
          { namespace: ns, pod: p, container: 'invoicer', reason: 'CreateContainerConfigError' },
          (m) => (m <= 35 ? 1 : null),
        ),
        state('kube_pod_status_phase', { namespace: ns, pod: p, phase: 'Pending' }, (m) =>
          m <= 35 ? 1 : null,
        ),
      ],
      kube: [
        ...deployment(ns, 'invoicer', {
          replicas: 1,
          available: 0,
          revisions: [['5', 'registry.example.com/billing/invoicer:2.0.1', 36]],
        }),
        pod(ns, p, {
          owner: { kind: 'ReplicaSet', name: `invoicer-${rsHash('5')}` },
          phase: 'Pending',
          containers: [
            {
              name: 'invoicer',
              image: 'registry.example.com/billing/invoicer:2.0.1',
              waiting: {
                reason: 'CreateContainerConfigError',
                message: "couldn't find key smtp-password in Secret billing/invoicer-smtp",
              },
            },
          ],
        }),
      ],
      expect: {
        family: 'pod_not_healthy',
        subReason: 'config_error',
        classification: 'actionable',
        top: 'sig.missing_config',
        forbidden: [],
        noise: { max: 49 },
      },
    };
  })(),
  (() => {
    const ns = 'analytics';
    const p = 'spark-driver-7';
    const labels = {
      alertname: 'KubePodNotReady',
      namespace: ns,
      pod: p,
      job: 'kube-state-metrics',
      severity: 'warning',
      ...EXT,
    };
    return {
      name: 'pod cannot be scheduled (insufficient CPU)',
      story: 'a driver pod requests 16 CPUs; no node has that much free',
      alert: { labels, expr: NOT_READY_EXPR, startedMinAgo: 18 },
      series: [
        state('kube_pod_status_phase', { namespace: ns, pod: p, phase: 'Pending' }, (m) =>
          m <= 25 ? 1 : null,
        ),
      ],
      kube: [
        pod(ns, p, {
          phase: 'Pending',
          conditions: [
            {
              type: 'PodScheduled',
              status: 'False',
              reason: 'Unschedulable',
              message: '0/6 nodes are available: 6 Insufficient cpu.',
            },
          ],
          containers: [
            {
              name: 'driver',
              image: 'registry.example.com/analytics/spark:3.5',
              waiting: { reason: 'ContainerCreating' },
            },
          ],
        }),
        event(
          ns,
          { kind: 'Pod', name: p },
          'FailedScheduling',
          '0/6 nodes are available: 6 Insufficient cpu.',
          { count: 12 },
        ),
      ],
      expect: {
        family: 'pod_not_healthy',
        subReason: 'unschedulable',
        classification: 'actionable',
        top: 'sig.scheduling',
        forbidden: [],
        noise: { max: 49 },
      },
    };
  })(),
  (() => {
    const ns = 'orders';
    const p = podOf('orders', '4', 'm7n4b');
    const labels = {
      alertname: 'KubePodNotReady',
      namespace: ns,
      pod: p,
      job: 'kube-state-metrics',
      severity: 'warning',
      ...EXT,
    };
    return {
      name: 'no access: pods forbidden (403) and no log backend',
      story:
        'pod Running but not Ready per kube-state-metrics; Tarka may not read pods or events, and no LOGS_URL is set',
      alert: {
        labels,
        expr: 'kube_pod_status_ready{job="kube-state-metrics",condition="true"} == 0',
        startedMinAgo: 22,
      },
      series: [
        state('kube_pod_status_phase', { namespace: ns, pod: p, phase: 'Running' }, () => 1),
        state('kube_pod_status_ready', { namespace: ns, pod: p, condition: 'true' }, (m) =>
          m <= 25 ? 0 : 1,
        ),
        restarts({ namespace: ns, pod: p, container: 'orders' }, 500, 1000),
      ],
      forbid: ['pods', 'events'],
      noLogsBackend: true,
      // A distractor: another namespace's pod of the same alert is not ready because of DNS.
      otherAlerts: [
        { alertname: 'KubePodNotReady', namespace: 'edge', pod: 'resolver-0', severity: 'warning', ...EXT },
      ],
      expect: {
        family: 'pod_not_healthy',
        classification: 'actionable',
        top: 'pod.not_ready',
        forbidden: [/sig\./, 'dns', 'change.rollout'],
        noise: { max: 49 },
        mentions: [/grant Tarka's service account/i, /pods/, /LOGS_URL/],
      },
    };
  })(),
];
