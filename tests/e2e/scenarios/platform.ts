import {
  alertHistory,
  counter,
  deployment,
  gauge,
  lines,
  node,
  pod,
  restarts,
  rsHash,
  state,
  type Scenario,
} from './kit.js';

// The monitoring pipeline, nodes, meta alerts, and noise read from an alert's own history.

const EXT = { cluster: 'prod-eu-1', prometheus: 'monitoring/k8s' };
const prom = {
  namespace: 'monitoring',
  pod: 'prometheus-k8s-0',
  job: 'prometheus-k8s',
  instance: '10.1.0.5:9090',
};

// A second Prometheus replica: its logs are its own.
const prom2 = { ...prom, pod: 'prometheus-k8s-1', instance: '10.1.0.6:9090' };

export const platformScenarios: Scenario[] = [
  (() => {
    const url = 'https://mimir.example.com/api/v1/push';
    return {
      name: 'remote write behind: receiver rate-limits (429)',
      story:
        'Prometheus remote write to Mimir falls 9 min behind; samples fail and its log shows 429 Too Many Requests',
      alert: {
        labels: {
          alertname: 'PrometheusRemoteWriteBehind',
          ...prom,
          remote_name: 'mimir',
          url,
          severity: 'critical',
          ...EXT,
        },
        expr: '(max_over_time(prometheus_remote_storage_highest_timestamp_in_seconds{job="prometheus-k8s"}[5m]) - ignoring(remote_name, url) group_right max_over_time(prometheus_remote_storage_queue_highest_sent_timestamp_seconds{job="prometheus-k8s"}[5m])) > 120',
        startedMinAgo: 12,
      },
      series: [
        gauge('prometheus_remote_storage_highest_timestamp_in_seconds', prom, (m) =>
          Math.floor(Date.now() / 1000 - m * 60),
        ),
        gauge(
          'prometheus_remote_storage_queue_highest_sent_timestamp_seconds',
          { ...prom, remote_name: 'mimir', url },
          (m) => Math.floor(Date.now() / 1000 - m * 60 - (m <= 20 ? (20 - m) * 30 : 5)),
        ),
        counter(
          'prometheus_remote_storage_samples_failed_total',
          { ...prom, remote_name: 'mimir', url },
          (m) => (m <= 20 ? 850 : 0),
        ),
      ],
      logs: lines({ namespace: 'monitoring', pod: 'prometheus-k8s-0', container: 'prometheus' }, [
        [
          10,
          'level=warn component=remote remote_name=mimir url=https://mimir.example.com/api/v1/push msg="Failed to send batch, retrying" err="server returned HTTP status 429 Too Many Requests: ingestion rate limit exceeded"',
        ],
        [
          4,
          'level=warn component=remote remote_name=mimir url=https://mimir.example.com/api/v1/push msg="Failed to send batch, retrying" err="server returned HTTP status 429 Too Many Requests: ingestion rate limit exceeded"',
        ],
      ]),
      expect: {
        family: 'observability_pipeline',
        subReason: 'remote_write',
        classification: 'actionable',
        top: 'pipeline.remote_write_failing',
        forbidden: ['crashloop', 'capacity.replicas'],
        noise: { max: 49 },
      },
    };
  })(),
  (() => {
    const am = {
      namespace: 'monitoring',
      pod: 'alertmanager-main-0',
      job: 'alertmanager-main',
      instance: '10.1.0.9:9093',
    };
    return {
      name: 'Alertmanager cannot deliver to Slack',
      story: 'every Slack notification fails since the webhook URL was revoked; email still works',
      alert: {
        labels: {
          alertname: 'AlertmanagerFailedToSendAlerts',
          ...am,
          integration: 'slack',
          severity: 'warning',
          ...EXT,
        },
        expr: '(rate(alertmanager_notifications_failed_total{job="alertmanager-main"}[5m]) / ignoring (reason) group_left rate(alertmanager_notifications_total{job="alertmanager-main"}[5m])) > 0.01',
        startedMinAgo: 30,
      },
      series: [
        counter(
          'alertmanager_notifications_failed_total',
          { ...am, integration: 'slack', reason: 'clientError' },
          (m) => (m <= 35 ? 0.2 : 0),
        ),
        counter(
          'alertmanager_notifications_failed_total',
          { ...am, integration: 'email', reason: 'other' },
          () => 0,
        ),
        counter('alertmanager_notifications_total', { ...am, integration: 'slack' }, () => 0.2),
        counter('alertmanager_notifications_total', { ...am, integration: 'email' }, () => 0.1),
      ],
      logs: lines({ namespace: 'monitoring', pod: am.pod, container: 'alertmanager' }, [
        [
          20,
          'level=error component=dispatcher msg="Notify for alerts failed" num_alerts=3 err="default/slack[0]: notify retry canceled due to unrecoverable error after 1 attempts: channel \\"#alerts\\": unexpected status code 404: no_service"',
        ],
      ]),
      expect: {
        family: 'observability_pipeline',
        subReason: 'alertmanager_delivery',
        classification: 'actionable',
        top: 'pipeline.delivery_failing',
        forbidden: ['email,'],
        noise: { max: 49 },
      },
    };
  })(),
  (() => ({
    name: 'rule group fails to evaluate',
    story: 'a recording-rule group errors on every evaluation (many-to-many matching) after a rules change',
    alert: {
      labels: { alertname: 'PrometheusRuleFailures', ...prom2, severity: 'critical', ...EXT },
      expr: 'increase(prometheus_rule_evaluation_failures_total{job="prometheus-k8s"}[5m]) > 0',
      startedMinAgo: 40,
    },
    series: [
      counter(
        'prometheus_rule_evaluation_failures_total',
        { ...prom2, rule_group: '/etc/prometheus/rules/slo.yaml;slo-recording' },
        (m) => (m <= 45 ? 1 / 30 : 0),
      ),
      counter(
        'prometheus_rule_evaluation_failures_total',
        { ...prom2, rule_group: '/etc/prometheus/rules/k8s.yaml;k8s.rules' },
        () => 0,
      ),
    ],
    logs: lines({ namespace: 'monitoring', pod: 'prometheus-k8s-1', container: 'prometheus' }, [
      [
        30,
        'level=warn component="rule manager" group=slo-recording msg="Evaluating rule failed" err="found duplicate series for the match group {service=\\"checkout\\"} on the right hand-side of the operation: many-to-many matching not allowed"',
      ],
    ]),
    expect: {
      family: 'observability_pipeline',
      subReason: 'rule_evaluation',
      classification: 'actionable',
      top: 'pipeline.rule_failures',
      forbidden: ['k8s.rules', 'sig.rate_limited'],
      noise: { max: 49 },
    },
  }))(),
  (() => ({
    name: 'Watchdog heartbeat',
    story: 'the always-firing Watchdog reaches Tarka: the pipeline works',
    alert: {
      labels: { alertname: 'Watchdog', severity: 'none', ...EXT },
      expr: 'vector(1)',
      startedMinAgo: 600,
    },
    series: [],
    expect: {
      family: 'meta',
      classification: 'informational',
      top: 'meta.by_design',
      forbidden: [/sig\./],
      noise: { max: 0 },
    },
  }))(),
  (() => {
    const n = 'node-7';
    return {
      name: 'node not ready: kubelet stopped posting status',
      story: 'node-7 has been NotReady for 12 min (kubelet stopped posting); 23 pods run there',
      alert: {
        labels: {
          alertname: 'KubeNodeNotReady',
          node: n,
          condition: 'Ready',
          status: 'true',
          job: 'kube-state-metrics',
          severity: 'warning',
          ...EXT,
        },
        expr: 'kube_node_status_condition{job="kube-state-metrics",condition="Ready",status="true"} == 0',
        startedMinAgo: 12,
      },
      series: [
        state('kube_node_status_condition', { node: n, condition: 'Ready', status: 'true' }, (m) =>
          m <= 14 ? 0 : 1,
        ),
        state('kube_node_status_condition', { node: n, condition: 'Ready', status: 'unknown' }, (m) =>
          m <= 14 ? 1 : 0,
        ),
        ...['shop', 'payments', 'search'].map((ns, i) =>
          state('kube_pod_info', { node: n, namespace: ns, pod: `p-${i}` }, () => 1),
        ),
      ],
      kube: [
        node(n, [
          {
            type: 'Ready',
            status: 'Unknown',
            reason: 'NodeStatusUnknown',
            message: 'Kubelet stopped posting node status.',
          },
        ]),
      ],
      expect: {
        family: 'pod_not_healthy',
        subReason: 'node_not_ready',
        classification: 'actionable',
        top: 'node.not_ready',
        forbidden: [/sig\./],
        noise: { max: 49 },
      },
    };
  })(),
  (() => {
    const inst = '10.0.4.33:9100';
    return {
      name: 'node filesystem filling up',
      story: '/var on 10.0.4.33 has 7% free and loses 2% per 10 min (container logs)',
      alert: {
        labels: {
          alertname: 'NodeFilesystemSpaceFillingUp',
          instance: inst,
          mountpoint: '/var',
          device: '/dev/nvme0n1p3',
          fstype: 'ext4',
          job: 'node-exporter',
          severity: 'critical',
          ...EXT,
        },
        expr: 'node_filesystem_avail_bytes{job="node-exporter",fstype!=""} / node_filesystem_size_bytes{job="node-exporter",fstype!=""} * 100 < 10',
        startedMinAgo: 9,
      },
      series: [
        gauge(
          'node_filesystem_avail_bytes',
          {
            instance: inst,
            mountpoint: '/var',
            device: '/dev/nvme0n1p3',
            fstype: 'ext4',
            job: 'node-exporter',
          },
          (m) => 200e9 * Math.max(0.07, 0.07 + Math.min(m, 60) * 0.002),
        ),
        gauge(
          'node_filesystem_size_bytes',
          {
            instance: inst,
            mountpoint: '/var',
            device: '/dev/nvme0n1p3',
            fstype: 'ext4',
            job: 'node-exporter',
          },
          () => 200e9,
        ),
      ],
      expect: {
        family: 'generic',
        subReason: 'node_filesystem',
        classification: 'actionable',
        top: 'node.filesystem',
        forbidden: [],
        noise: { max: 49 },
      },
    };
  })(),
  (() => {
    const ns = 'search';
    const labels = {
      alertname: 'ElasticsearchHeapHigh',
      namespace: ns,
      service: 'es',
      cluster_name: 'logs',
      severity: 'warning',
      ...EXT,
    };
    const episodes: [number, number][] = [
      [170, 166],
      [150, 147],
      [130, 126],
      [104, 101],
      [85, 82],
      [61, 58],
      [40, 37],
      [21, 18],
      [6, 0],
    ];
    return {
      name: 'flapping alert: many short episodes',
      story: 'a heap alert has started 9 times in 3 h, each episode 3-4 min, crossing 85% on every GC cycle',
      alert: {
        labels,
        expr: 'max by (namespace, service, cluster_name) (es_jvm_mem_heap_used_percent) > 85',
        startedMinAgo: 6,
      },
      series: [
        ...alertHistory(
          {
            alertname: labels.alertname,
            namespace: ns,
            service: 'es',
            cluster_name: 'logs',
            severity: 'warning',
          },
          episodes,
        ),
        gauge('es_jvm_mem_heap_used_percent', { namespace: ns, service: 'es', cluster_name: 'logs' }, (m) =>
          episodes.some(([a, b]) => m <= a && m >= b) ? 88 : 70,
        ),
      ],
      expect: {
        family: 'memory_pressure',
        classification: 'noisy',
        top: 'noise.flapping',
        forbidden: ['memory.node', 'oom.limit'],
        noise: { min: 50 },
        mentions: [/started \d+ times in 24 h/],
      },
    };
  })(),
  (() => {
    const ns = 'feeds';
    const name = 'poller';
    const mine = `${name}-${rsHash('3')}-wwww2`;
    const l = { namespace: ns, pod: mine, container: name };
    return {
      name: 'sibling pods already silenced for the same crash loop',
      story:
        'poller pods crash on a flaky upstream; the team silenced the same alert on two sibling pods with a ticket',
      alert: {
        labels: {
          alertname: 'KubePodCrashLooping',
          ...l,
          job: 'kube-state-metrics',
          reason: 'CrashLoopBackOff',
          severity: 'warning',
          ...EXT,
        },
        expr: 'max_over_time(kube_pod_container_status_waiting_reason{job="kube-state-metrics",reason="CrashLoopBackOff"}[5m]) >= 1',
        startedMinAgo: 7,
      },
      series: [
        state('kube_pod_container_status_waiting_reason', { ...l, reason: 'CrashLoopBackOff' }, (m) =>
          m <= 9 ? 1 : null,
        ),
        restarts(l, 12, 5),
      ],
      kube: [
        ...deployment(ns, name, {
          replicas: 3,
          available: 2,
          revisions: [['3', 'registry.example.com/feeds/poller:0.4', 20000]],
        }),
        pod(ns, mine, {
          owner: { kind: 'ReplicaSet', name: `${name}-${rsHash('3')}` },
          containers: [
            {
              name,
              image: 'registry.example.com/feeds/poller:0.4',
              restarts: 2,
              waiting: { reason: 'CrashLoopBackOff' },
            },
          ],
        }),
      ],
      silences: ['bbbb4', 'cccc5'].map((s) => ({
        matchers: [
          { name: 'alertname', value: 'KubePodCrashLooping', isRegex: false, isEqual: true },
          { name: 'namespace', value: ns, isRegex: false, isEqual: true },
          { name: 'pod', value: `${name}-${rsHash('3')}-${s}`, isRegex: false, isEqual: true },
        ],
        createdBy: 'feeds-oncall',
        comment: 'FEEDS-231 upstream flaky, poller restarts are harmless',
      })),
      expect: {
        family: 'crashloop',
        classification: 'noisy',
        top: 'noise.silenced_siblings',
        forbidden: ['change.rollout'],
        noise: { min: 50 },
        mentions: [/FEEDS-231/],
      },
    };
  })(),
  (() => {
    const ns = 'legacy';
    const p = 'batch-runner-5f6d7c8b9-gone1';
    return {
      name: 'stale alert for a pod that no longer exists',
      story: 'an alert about a pod deleted an hour ago: its series are gone and the API does not know it',
      alert: {
        labels: {
          alertname: 'KubePodCrashLooping',
          namespace: ns,
          pod: p,
          container: 'runner',
          job: 'kube-state-metrics',
          reason: 'CrashLoopBackOff',
          severity: 'warning',
          ...EXT,
        },
        expr: `max_over_time(kube_pod_container_status_waiting_reason{job="kube-state-metrics",reason="CrashLoopBackOff",namespace="${ns}"}[5m]) >= 1`,
        startedMinAgo: 3,
      },
      series: [],
      expect: {
        family: 'crashloop',
        classification: 'artifact',
        top: null,
        forbidden: [/sig\./, 'change.rollout'],
        noise: { min: 40 },
      },
    };
  })(),
];
