import {
  counter,
  deployment,
  event,
  gauge,
  lines,
  pod,
  restarts,
  rsHash,
  state,
  up,
  type Scenario,
} from './kit.js';

// HTTP errors, scrape targets down, CPU throttling and memory pressure of services.

const EXT = { cluster: 'prod-eu-1', prometheus: 'monitoring/k8s' };
const HTTP_EXPR =
  'sum by (namespace, service) (rate(http_requests_total{code=~"5.."}[5m])) / sum by (namespace, service) (rate(http_requests_total[5m])) > 0.05';
const THROTTLE_EXPR =
  'sum by (container, pod, namespace) (increase(container_cpu_cfs_throttled_periods_total{container!=""}[5m])) / sum by (container, pod, namespace) (increase(container_cpu_cfs_periods_total[5m])) > (25 / 100)';
const TARGET_EXPR =
  '100 * (count by (job, namespace, service) (up == 0) / count by (job, namespace, service) (up)) > 10';

/** Request counters of a service: rate per code as functions of minutes ago. */
function requests(
  ns: string,
  service: string,
  rates: Record<string, (m: number) => number>,
  metric = 'http_requests_total',
  codeLabel = 'code',
) {
  return Object.entries(rates).map(([code, rate]) =>
    counter(metric, { namespace: ns, service, job: service, [codeLabel]: code }, rate),
  );
}

function throttleSeries(
  ns: string,
  p: string,
  container: string,
  o: {
    periods: number;
    throttledShare: (m: number) => number;
    usage: (m: number) => number;
    throttledSecs: (m: number) => number;
    limit: number;
  },
) {
  const l = { namespace: ns, pod: p, container, job: 'kubelet' };
  return [
    counter('container_cpu_cfs_periods_total', l, () => o.periods),
    counter('container_cpu_cfs_throttled_periods_total', l, (m) => o.periods * o.throttledShare(m)),
    counter('container_cpu_usage_seconds_total', l, o.usage),
    counter('container_cpu_cfs_throttled_seconds_total', l, o.throttledSecs),
    state(
      'kube_pod_container_resource_limits',
      { namespace: ns, pod: p, container, resource: 'cpu', unit: 'core' },
      () => o.limit,
    ),
  ];
}

const throttleLabels = (ns: string, p: string, container: string) => ({
  alertname: 'CPUThrottlingHigh',
  namespace: ns,
  pod: p,
  container,
  severity: 'info',
  ...EXT,
});

export const serviceScenarios: Scenario[] = [
  (() => {
    const ns = 'checkout';
    return {
      name: 'HTTP 500s from a failing dependency',
      story:
        'checkout returns 500 on 20% of 40 req/s since 15 min; its logs time out calling the payments service',
      alert: {
        labels: {
          alertname: 'HTTP5xxRateHigh',
          namespace: ns,
          service: 'checkout',
          severity: 'critical',
          ...EXT,
        },
        expr: HTTP_EXPR,
        startedMinAgo: 12,
      },
      series: requests(ns, 'checkout', {
        '200': (m) => (m <= 15 ? 32 : 40),
        '500': (m) => (m <= 15 ? 8 : 0.01),
      }),
      kube: [
        ...deployment(ns, 'checkout', {
          replicas: 4,
          available: 4,
          revisions: [['21', 'registry.example.com/checkout:4.4.0', 30000]],
        }),
      ],
      logs: lines({ namespace: ns, pod: `checkout-${rsHash('21')}-zz22b`, container: 'checkout' }, [
        [
          10,
          'ERROR POST /api/checkout: calling payments: context deadline exceeded (Client.Timeout exceeded while awaiting headers)',
        ],
        [
          8,
          'ERROR POST /api/checkout: calling payments: context deadline exceeded (Client.Timeout exceeded while awaiting headers)',
        ],
        [
          5,
          'ERROR POST /api/checkout: calling payments: context deadline exceeded (Client.Timeout exceeded while awaiting headers)',
        ],
        [
          3,
          'ERROR POST /api/checkout: calling payments: context deadline exceeded (Client.Timeout exceeded while awaiting headers)',
        ],
        [
          1,
          'ERROR POST /api/checkout: calling payments: context deadline exceeded (Client.Timeout exceeded while awaiting headers)',
        ],
      ]),
      // Distractor: the same alert fires for two unrelated services elsewhere (a storm).
      otherAlerts: [
        {
          alertname: 'HTTP5xxRateHigh',
          namespace: 'blog',
          service: 'comments',
          severity: 'critical',
          ...EXT,
        },
        { alertname: 'HTTP5xxRateHigh', namespace: 'wiki', service: 'render', severity: 'critical', ...EXT },
      ],
      expect: {
        family: 'http_5xx',
        classification: 'actionable',
        top: 'sig.timeout',
        forbidden: ['blast.shared_cause', 'noise.low_volume'],
        noise: { max: 49 },
      },
    };
  })(),
  (() => {
    const ns = 'internal-tools';
    return {
      name: '5xx ratio over a handful of requests',
      story:
        'an internal admin API served 9 requests in the last hour; 3 of them failed, which is a 33% ratio',
      alert: {
        labels: {
          alertname: 'HTTP5xxRateHigh',
          namespace: ns,
          service: 'admin-api',
          severity: 'critical',
          ...EXT,
        },
        expr: HTTP_EXPR,
        startedMinAgo: 6,
      },
      series: requests(ns, 'admin-api', { '200': () => 6 / 3600, '500': (m) => (m <= 12 ? 3 / 720 : 0) }),
      kube: [
        ...deployment(ns, 'admin-api', {
          replicas: 1,
          available: 1,
          revisions: [['3', 'registry.example.com/admin-api:1.0', 40000]],
        }),
      ],
      expect: {
        family: 'http_5xx',
        classification: 'noisy',
        top: 'noise.low_volume',
        forbidden: ['capacity.replicas', 'capacity.restarts'],
        noise: { min: 50 },
        mentions: [/failed of \d+ requests/],
      },
    };
  })(),
  (() => {
    const ns = 'mesh';
    return {
      name: 'Istio 503s while backends fail readiness',
      story: 'reviews answers 503 via Istio on 30% of 25 req/s; two of three pods fail their readiness probe',
      alert: {
        labels: {
          alertname: 'ServiceErrorRateHigh',
          namespace: ns,
          service: 'reviews',
          severity: 'critical',
          ...EXT,
        },
        expr: 'sum by (namespace, service) (rate(istio_requests_total{response_code=~"5.."}[5m])) / sum by (namespace, service) (rate(istio_requests_total[5m])) > 0.05',
        startedMinAgo: 9,
      },
      series: requests(
        ns,
        'reviews',
        { '200': () => 17.5, '503': (m) => (m <= 12 ? 7.5 : 0) },
        'istio_requests_total',
        'response_code',
      ),
      kube: [
        ...deployment(ns, 'reviews', {
          replicas: 3,
          available: 1,
          revisions: [['9', 'registry.example.com/reviews:2.2', 26000]],
        }),
        ...['wwww2', 'bbbb4'].map((s) =>
          event(
            ns,
            { kind: 'Pod', name: `reviews-${rsHash('9')}-${s}` },
            'Unhealthy',
            'Readiness probe failed: HTTP probe failed with statuscode: 503',
            { count: 40 },
          ),
        ),
        // Distractor: another workload of the namespace has a liveness problem.
        event(
          ns,
          { kind: 'Pod', name: 'ratings-5d4c7b2f8-zzzz9' },
          'Unhealthy',
          'Liveness probe failed: connection refused',
          { count: 3 },
        ),
      ],
      expect: {
        family: 'http_5xx',
        classification: 'actionable',
        top: 'probe.readiness',
        forbidden: ['probe.liveness', 'ratings'],
        noise: { max: 49 },
      },
    };
  })(),
  (() => {
    const ns = 'catalog';
    const pods = [
      `catalog-${rsHash('7')}-pp2q7`,
      `catalog-${rsHash('7')}-pq2q7`,
      `catalog-${rsHash('7')}-pr2q7`,
    ];
    return {
      name: 'target down behind readiness failures, during a storm',
      story:
        'two of three catalog targets fail scrapes; their pods fail readiness (database pool exhausted); TargetDown fires in three other namespaces too',
      alert: {
        labels: {
          alertname: 'TargetDown',
          namespace: ns,
          service: 'catalog',
          job: 'catalog',
          severity: 'warning',
          ...EXT,
        },
        expr: TARGET_EXPR,
        startedMinAgo: 11,
      },
      series: up(
        { namespace: ns, service: 'catalog', job: 'catalog' },
        pods,
        (p, m) => p !== pods[0] && m <= 14,
      ),
      kube: [
        ...deployment(ns, 'catalog', {
          replicas: 3,
          available: 1,
          revisions: [['7', 'registry.example.com/catalog:3.0.2', 15000]],
        }),
        ...pods
          .slice(1)
          .map((p) =>
            event(
              ns,
              { kind: 'Pod', name: p },
              'Unhealthy',
              'Readiness probe failed: Get "http://10.2.3.4:8080/ready": context deadline exceeded',
              { count: 25 },
            ),
          ),
      ],
      logs: lines({ namespace: ns, pod: pods[1]!, container: 'catalog' }, [
        [9, 'WARN ready check failed: database pool exhausted (50/50 connections in use)'],
        [4, 'WARN ready check failed: database pool exhausted (50/50 connections in use)'],
      ]),
      otherAlerts: ['ns-a', 'ns-b', 'ns-c'].map((n) => ({
        alertname: 'TargetDown',
        namespace: n,
        service: 'x',
        job: 'x',
        severity: 'warning',
        ...EXT,
      })),
      expect: {
        family: 'target_down',
        classification: 'actionable',
        top: 'probe.readiness',
        forbidden: [/"id":"blast\.shared_cause","title":"[^"]*","score":(8|9)\d/],
        noise: { max: 49 },
      },
    };
  })(),
  (() => {
    const ns = 'geo';
    const pods = [`geo-${rsHash('15')}-gg2a7`, `geo-${rsHash('15')}-gg2b7`];
    return {
      name: 'all targets down after a rollout changed the metrics port',
      story: 'geo 1.9.0 rolled out 9 min ago; pods run and serve but every scrape fails since',
      alert: {
        labels: {
          alertname: 'TargetDown',
          namespace: ns,
          service: 'geo',
          job: 'geo',
          severity: 'warning',
          ...EXT,
        },
        expr: TARGET_EXPR,
        startedMinAgo: 6,
      },
      series: up({ namespace: ns, service: 'geo', job: 'geo' }, pods, (_p, m) => m <= 8),
      kube: [
        ...deployment(ns, 'geo', {
          replicas: 2,
          available: 2,
          revisions: [
            ['15', 'registry.example.com/geo:1.9.0', 9],
            ['14', 'registry.example.com/geo:1.8.4', 12000],
          ],
        }),
      ],
      expect: {
        family: 'target_down',
        classification: 'actionable',
        top: 'change.rollout',
        forbidden: ['probe.readiness'],
        noise: { max: 49 },
      },
    };
  })(),
  (() => {
    const ns = 'video';
    const p = `transcoder-${rsHash('4')}-tt2x7`;
    return {
      name: 'CPU limit too low for the work',
      story: 'transcoder uses 0.97 of its 1-core limit and half its periods are throttled',
      alert: {
        labels: { ...throttleLabels(ns, p, 'transcoder'), severity: 'warning' },
        expr: THROTTLE_EXPR,
        startedMinAgo: 20,
      },
      series: throttleSeries(ns, p, 'transcoder', {
        periods: 10,
        throttledShare: () => 0.5,
        usage: () => 0.97,
        throttledSecs: () => 0.45,
        limit: 1,
      }),
      kube: [
        ...deployment(ns, 'transcoder', {
          replicas: 2,
          available: 2,
          revisions: [['4', 'registry.example.com/transcoder:7', 20000]],
        }),
      ],
      expect: {
        family: 'cpu_throttling',
        classification: 'actionable',
        top: 'cpu.limit_too_low',
        forbidden: ['noise.idle_throttling'],
        noise: { max: 49 },
      },
    };
  })(),
  (() => {
    const ns = 'logging';
    const p = 'fluent-bit-7xk2p';
    return {
      name: 'idle sidecar with a tiny CPU limit',
      story:
        'a config-reloader sidecar with a 10m limit uses 2m CPU; 60% of its periods throttle, 3 ms/s lost',
      alert: { labels: throttleLabels(ns, p, 'config-reloader'), expr: THROTTLE_EXPR, startedMinAgo: 240 },
      series: throttleSeries(ns, p, 'config-reloader', {
        periods: 10,
        throttledShare: () => 0.6,
        usage: () => 0.002,
        throttledSecs: () => 0.003,
        limit: 0.01,
      }),
      kube: [
        pod(ns, p, {
          owner: { kind: 'DaemonSet', name: 'fluent-bit' },
          containers: [
            { name: 'fluent-bit', image: 'fluent/fluent-bit:3.1' },
            { name: 'config-reloader', image: 'ghcr.io/jimmidyson/configmap-reload:0.13' },
          ],
        }),
      ],
      expect: {
        family: 'cpu_throttling',
        classification: 'noisy',
        top: 'noise.idle_throttling',
        forbidden: ['cpu.limit_too_low', 'cpu.bursty'],
        noise: { min: 50 },
        mentions: [/ms of throttling per second/],
      },
    };
  })(),
  (() => {
    const ns = 'api-gw';
    const p = `gateway-${rsHash('30')}-gw2x7`;
    return {
      name: 'bursty CPU hitting the quota',
      story:
        'gateway averages 0.4 of 2 cores but bursts of many threads throttle 35% of periods, 0.6 s/s lost',
      alert: {
        labels: { ...throttleLabels(ns, p, 'gateway'), severity: 'warning' },
        expr: THROTTLE_EXPR,
        startedMinAgo: 30,
      },
      series: throttleSeries(ns, p, 'gateway', {
        periods: 10,
        throttledShare: () => 0.35,
        usage: (m) => 0.4 + 0.05 * Math.sin(m),
        throttledSecs: () => 0.6,
        limit: 2,
      }),
      kube: [
        ...deployment(ns, 'gateway', {
          replicas: 6,
          available: 6,
          revisions: [['30', 'registry.example.com/gateway:11', 30000]],
        }),
      ],
      expect: {
        family: 'cpu_throttling',
        classification: 'actionable',
        top: 'cpu.bursty',
        forbidden: ['noise.idle_throttling'],
        noise: { max: 49 },
      },
    };
  })(),
  (() => {
    const ns = 'cache';
    const p = 'redis-0';
    const l = { namespace: ns, pod: p, container: 'redis' };
    const limit = 2 * 1024 ** 3;
    return {
      name: 'container close to its memory limit',
      story: 'redis holds 1.9 of 2 GiB and grows; not killed yet',
      alert: {
        labels: { alertname: 'ContainerMemoryNearLimit', ...l, severity: 'warning', ...EXT },
        expr: 'max by (namespace, pod, container) (container_memory_working_set_bytes{container!=""}) / max by (namespace, pod, container) (kube_pod_container_resource_limits{resource="memory"}) > 0.9',
        startedMinAgo: 14,
      },
      series: [
        gauge(
          'container_memory_working_set_bytes',
          { ...l, job: 'kubelet' },
          (m) => limit * (0.95 - m * 0.0005),
        ),
        state('kube_pod_container_resource_limits', { ...l, resource: 'memory', unit: 'byte' }, () => limit),
        restarts(l, 100000, 100000),
      ],
      kube: [
        pod(ns, p, {
          owner: { kind: 'StatefulSet', name: 'redis' },
          containers: [{ name: 'redis', image: 'redis:7.4' }],
        }),
      ],
      expect: {
        family: 'memory_pressure',
        classification: 'actionable',
        top: 'memory.near_limit',
        forbidden: ['oom.limit'],
        noise: { max: 49 },
      },
    };
  })(),
  (() => {
    const inst = '10.0.4.21:9100';
    return {
      name: 'node memory nearly exhausted',
      story: 'node-exporter on 10.0.4.21 reports 6% memory available and falling',
      alert: {
        labels: {
          alertname: 'NodeMemoryHighUtilization',
          instance: inst,
          job: 'node-exporter',
          severity: 'warning',
          ...EXT,
        },
        expr: '100 - (node_memory_MemAvailable_bytes{job="node-exporter"} / node_memory_MemTotal_bytes{job="node-exporter"} * 100) > 90',
        startedMinAgo: 10,
      },
      series: [
        gauge(
          'node_memory_MemAvailable_bytes',
          { instance: inst, job: 'node-exporter' },
          (m) => 64e9 * Math.max(0.06, 0.3 - (60 - Math.min(60, m)) * 0.004),
        ),
        gauge('node_memory_MemTotal_bytes', { instance: inst, job: 'node-exporter' }, () => 64e9),
      ],
      expect: {
        family: 'memory_pressure',
        classification: 'actionable',
        top: 'memory.node',
        forbidden: ['oom.limit'],
        noise: { max: 49 },
      },
    };
  })(),
];
