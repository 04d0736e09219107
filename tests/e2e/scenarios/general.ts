import { counter, event, job, lines, NOW, pod, state, up, type Scenario } from './kit.js';

// Stories whose names and labels differ from the textbook: a Service named unlike its
// Deployment, an ingress controller's request counter, a StatefulSet waiting on a volume, a Job
// that runs too long.

const EXT = { cluster: 'prod-eu-1', prometheus: 'monitoring/k8s' };

export const generalScenarios: Scenario[] = [
  (() => {
    const ns = 'inventory';
    const pods = ['stock-server-6c8d9f7b5-kq2vx', 'stock-server-6c8d9f7b5-mm4zt'];
    return {
      name: 'target down, Service named unlike its Deployment, readiness failing',
      story:
        'Service stock-api (Deployment stock-server) loses both scrape targets; their pods fail readiness while Redis is unreachable',
      alert: {
        labels: {
          alertname: 'TargetDown',
          namespace: ns,
          service: 'stock-api',
          job: 'stock-api',
          severity: 'warning',
          ...EXT,
        },
        expr: '100 * (count by (job, namespace, service) (up == 0) / count by (job, namespace, service) (up)) > 10',
        startedMinAgo: 13,
      },
      series: up({ namespace: ns, service: 'stock-api', job: 'stock-api' }, pods, (_p, m) => m <= 16),
      kube: [
        ...pods.map((p) =>
          event(
            ns,
            { kind: 'Pod', name: p },
            'Unhealthy',
            'Readiness probe failed: HTTP probe failed with statuscode: 503',
            { count: 30 },
          ),
        ),
        // Distractor: another workload of the namespace is killed by its liveness probe.
        event(
          ns,
          { kind: 'Pod', name: 'stock-importer-7f9b8c6d5-zz9qw' },
          'Unhealthy',
          'Liveness probe failed: Get "http://10.4.0.3:9000/health": dial tcp: connection refused',
          { count: 4 },
        ),
      ],
      expect: {
        family: 'target_down',
        classification: 'actionable',
        top: 'probe.readiness',
        forbidden: ['probe.liveness', 'stock-importer', 'blast.shared_cause'],
        noise: { max: 49 },
      },
    };
  })(),
  (() => {
    const l = { ingress: 'docs', exported_namespace: 'docs' };
    return {
      name: 'ingress 5xx ratio over eight requests',
      story: 'the docs ingress saw 8 requests in an hour; 2 returned 502 while a pod restarted, a 25% ratio',
      alert: {
        labels: {
          alertname: 'NginxIngress5xxHigh',
          namespace: 'ingress-nginx',
          ...l,
          severity: 'warning',
          ...EXT,
        },
        expr: 'sum by (ingress, exported_namespace) (rate(nginx_ingress_controller_requests{status=~"5.."}[5m])) / sum by (ingress, exported_namespace) (rate(nginx_ingress_controller_requests[5m])) > 0.05',
        startedMinAgo: 4,
      },
      series: [
        counter(
          'nginx_ingress_controller_requests',
          { ...l, namespace: 'ingress-nginx', status: '200' },
          () => 6 / 3600,
        ),
        counter(
          'nginx_ingress_controller_requests',
          { ...l, namespace: 'ingress-nginx', status: '502' },
          (m) => (m <= 8 ? 2 / 480 : 0),
        ),
      ],
      expect: {
        family: 'http_5xx',
        classification: 'noisy',
        top: 'noise.low_volume',
        forbidden: ['capacity.replicas'],
        noise: { min: 50 },
        mentions: [/nginx_ingress_controller_requests\{[^}]*ingress=\\"docs\\"/],
      },
    };
  })(),
  (() => {
    const ns = 'streaming';
    return {
      name: 'StatefulSet replica waits on an unbound volume',
      story: 'kafka runs 2 of 3 brokers; kafka-2 is Pending because its PersistentVolumeClaim cannot bind',
      alert: {
        labels: {
          alertname: 'KubeStatefulSetReplicasMismatch',
          namespace: ns,
          statefulset: 'kafka',
          job: 'kube-state-metrics',
          severity: 'warning',
          ...EXT,
        },
        expr: 'kube_statefulset_status_replicas_ready{job="kube-state-metrics"} != kube_statefulset_replicas{job="kube-state-metrics"}',
        startedMinAgo: 20,
      },
      series: [
        state('kube_statefulset_replicas', { namespace: ns, statefulset: 'kafka' }, () => 3),
        state('kube_statefulset_status_replicas_ready', { namespace: ns, statefulset: 'kafka' }, (m) =>
          m <= 25 ? 2 : 3,
        ),
        state('kube_statefulset_status_replicas_updated', { namespace: ns, statefulset: 'kafka' }, () => 3),
      ],
      kube: [
        {
          apiVersion: 'apps/v1',
          kind: 'StatefulSet',
          metadata: {
            name: 'kafka',
            namespace: ns,
            uid: 'uid-streaming-kafka',
            creationTimestamp: '2025-06-01T00:00:00Z',
          },
          spec: {
            replicas: 3,
            selector: { matchLabels: { app: 'kafka' } },
            template: { spec: { containers: [{ name: 'kafka', image: 'bitnami/kafka:3.8' }] } },
          },
          status: { replicas: 3, readyReplicas: 2, availableReplicas: 2, updatedReplicas: 3 },
        },
        pod(ns, 'kafka-2', {
          owner: { kind: 'StatefulSet', name: 'kafka' },
          phase: 'Pending',
          conditions: [
            {
              type: 'PodScheduled',
              status: 'False',
              reason: 'Unschedulable',
              message: '0/6 nodes are available: pod has unbound immediate PersistentVolumeClaims.',
            },
          ],
          containers: [
            { name: 'kafka', image: 'bitnami/kafka:3.8', waiting: { reason: 'ContainerCreating' } },
          ],
        }),
        event(
          ns,
          { kind: 'Pod', name: 'kafka-2' },
          'FailedScheduling',
          '0/6 nodes are available: pod has unbound immediate PersistentVolumeClaims. preemption: 0/6 nodes are available: 6 Preemption is not helpful for scheduling.',
          { count: 14 },
        ),
      ],
      expect: {
        family: 'k8s_rollout_health',
        classification: 'actionable',
        top: 'sig.scheduling',
        forbidden: ['change.rollout'],
        noise: { max: 49 },
      },
    };
  })(),
  (() => {
    const ns = 'search-admin';
    const name = 'reindex-products';
    return {
      name: 'Job running far longer than usual',
      story:
        'a reindex Job has been active for 14 h (it usually takes 40 min); it waits on a lock held by a stuck migration',
      alert: {
        labels: {
          alertname: 'KubeJobNotCompleted',
          namespace: ns,
          job_name: name,
          job: 'kube-state-metrics',
          severity: 'warning',
          ...EXT,
        },
        expr: 'time() - max by (namespace, job_name, cluster) (kube_job_status_start_time{job="kube-state-metrics"} and kube_job_status_active{job="kube-state-metrics"} > 0) > 43200',
        startedMinAgo: 120,
      },
      series: [
        state('kube_job_status_active', { namespace: ns, job_name: name }, () => 1),
        state(
          'kube_job_status_start_time',
          { namespace: ns, job_name: name },
          () => Math.floor(NOW / 1000) - 840 * 60,
        ),
        state('kube_job_status_failed', { namespace: ns, job_name: name }, () => 0),
        state('kube_job_status_succeeded', { namespace: ns, job_name: name }, () => 0),
      ],
      kube: [
        job(ns, name, { image: 'registry.example.com/search/reindex:2.3', createdMinAgo: 840, failed: 0 }),
      ],
      logs: lines({ namespace: ns, pod: `${name}-q7wz2`, container: name }, [
        [60, 'waiting for advisory lock 4242 (held by pid 8812 since 14:02)'],
        [30, 'waiting for advisory lock 4242 (held by pid 8812 since 14:02)'],
      ]),
      expect: {
        family: 'job_failed',
        subReason: 'not_completed',
        classification: 'actionable',
        top: 'job.running_long',
        forbidden: ['change.rollout', 'job.backoff'],
        noise: { max: 49 },
      },
    };
  })(),
];
