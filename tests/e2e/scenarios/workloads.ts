import {
  cronJob,
  deployment,
  event,
  job,
  lines,
  pod,
  previous,
  rsHash,
  state,
  type Scenario,
} from './kit.js';

// Jobs, CronJobs and rollouts of Deployments and StatefulSets.

const EXT = { cluster: 'prod-eu-1', prometheus: 'monitoring/k8s' };
const JOB_FAILED_EXPR = 'kube_job_failed{job="kube-state-metrics"} > 0';

function jobSeries(ns: string, name: string, failed: number, since: number) {
  const l = { namespace: ns, job_name: name };
  return [
    state('kube_job_status_failed', l, (m) => (m <= since ? failed : null)),
    state('kube_job_status_succeeded', l, (m) => (m <= since ? 0 : null)),
    state('kube_job_status_active', l, (m) => (m <= since ? 0 : null)),
    state('kube_job_failed', { ...l, condition: 'true' }, (m) => (m <= since ? 1 : null)),
  ];
}

const rolloutLabels = (alertname: string, ns: string, kind: string, name: string, severity = 'warning') => ({
  alertname,
  namespace: ns,
  [kind]: name,
  job: 'kube-state-metrics',
  severity,
  ...EXT,
});

function replicaSeries(
  ns: string,
  name: string,
  desired: number,
  available: (m: number) => number,
  updated: (m: number) => number,
) {
  const l = { namespace: ns, deployment: name };
  return [
    state('kube_deployment_spec_replicas', l, () => desired),
    state('kube_deployment_status_replicas_available', l, available),
    state('kube_deployment_status_replicas_updated', l, updated),
  ];
}

export const workloadScenarios: Scenario[] = [
  (() => {
    const ns = 'reports';
    const name = 'export-accounts';
    return {
      name: 'job fails: permission denied writing to the bucket',
      story: 'a one-off Job created 40 min ago retried 4 times; every pod fails with AccessDenied from S3',
      alert: {
        labels: {
          alertname: 'KubeJobFailed',
          namespace: ns,
          job_name: name,
          job: 'kube-state-metrics',
          severity: 'warning',
          ...EXT,
        },
        expr: JOB_FAILED_EXPR,
        startedMinAgo: 15,
      },
      series: jobSeries(ns, name, 4, 16),
      kube: [
        job(ns, name, {
          image: 'registry.example.com/reports/export:1.2',
          createdMinAgo: 40,
          failed: 4,
          condition: {
            type: 'Failed',
            reason: 'BackoffLimitExceeded',
            message: 'Job has reached the specified backoff limit',
          },
        }),
        event(
          ns,
          { kind: 'Job', name },
          'BackoffLimitExceeded',
          'Job has reached the specified backoff limit',
        ),
      ],
      logs: lines({ namespace: ns, pod: `${name}-x7k2p`, container: name }, [
        [20, 'uploading accounts.csv to s3://finance-exports/2026/'],
        [19.9, 'ERROR upload failed: AccessDenied: Access Denied (Service: S3, Status Code: 403)'],
      ]),
      expect: {
        family: 'job_failed',
        classification: 'actionable',
        top: 'sig.auth_denied',
        forbidden: ['change.rollout', /[Rr]ollout of Job/],
        noise: { max: 49 },
        mentions: [/BackoffLimitExceeded/],
      },
    };
  })(),
  (() => {
    const ns = 'etl';
    const cj = 'nightly-load';
    const name = `${cj}-29140520`;
    return {
      name: 'CronJob run exceeds its deadline: its new Job is not a rollout',
      story:
        'the CronJob started its usual Job 35 min ago (same image as every night); it hit activeDeadlineSeconds',
      alert: {
        labels: {
          alertname: 'KubeJobFailed',
          namespace: ns,
          job_name: name,
          job: 'kube-state-metrics',
          severity: 'warning',
          ...EXT,
        },
        expr: JOB_FAILED_EXPR,
        startedMinAgo: 5,
      },
      series: jobSeries(ns, name, 1, 6),
      kube: [
        cronJob(ns, cj, 'registry.example.com/etl/loader:3.3'),
        job(ns, name, {
          image: 'registry.example.com/etl/loader:3.3',
          createdMinAgo: 35,
          failed: 1,
          cronJob: cj,
          condition: {
            type: 'Failed',
            reason: 'DeadlineExceeded',
            message: 'Job was active longer than specified deadline',
          },
        }),
        job(ns, `${cj}-29139080`, {
          image: 'registry.example.com/etl/loader:3.3',
          createdMinAgo: 1475,
          failed: 0,
          succeeded: 1,
          cronJob: cj,
        }),
      ],
      expect: {
        family: 'job_failed',
        classification: 'actionable',
        top: 'job.deadline',
        forbidden: ['change.rollout'],
        noise: { max: 49 },
      },
    };
  })(),
  (() => {
    const ns = 'web';
    const name = 'storefront';
    const newPod = `${name}-${rsHash('42')}-n7wp2`;
    return {
      name: 'rollout stuck on a missing image',
      story:
        'storefront revision 42 (tag 9.0.0, never pushed) cannot start; rollout exceeded its progress deadline',
      alert: {
        labels: rolloutLabels('KubeDeploymentRolloutStuck', ns, 'deployment', name),
        expr: 'kube_deployment_status_condition{condition="Progressing", status="false",job="kube-state-metrics"} != 0',
        startedMinAgo: 8,
      },
      series: [
        ...replicaSeries(
          ns,
          name,
          4,
          () => 4,
          (m) => (m <= 20 ? 1 : 4),
        ),
        state(
          'kube_deployment_status_condition',
          { namespace: ns, deployment: name, condition: 'Progressing', status: 'false' },
          (m) => (m <= 9 ? 1 : 0),
        ),
        state(
          'kube_pod_container_status_waiting_reason',
          { namespace: ns, pod: newPod, container: name, reason: 'ImagePullBackOff' },
          (m) => (m <= 19 ? 1 : null),
        ),
      ],
      kube: [
        ...deployment(ns, name, {
          replicas: 4,
          available: 4,
          updated: 1,
          conditions: [
            {
              type: 'Progressing',
              status: 'False',
              reason: 'ProgressDeadlineExceeded',
              message: `ReplicaSet "${name}-${rsHash('42')}" has timed out progressing.`,
            },
          ],
          revisions: [
            ['42', 'registry.example.com/web/storefront:9.0.0', 20],
            ['41', 'registry.example.com/web/storefront:8.9.3', 9000],
          ],
        }),
      ],
      expect: {
        family: 'k8s_rollout_health',
        subReason: 'rollout_stuck',
        classification: 'actionable',
        top: 'sig.image_pull',
        forbidden: ['capacity.replicas'],
        noise: { max: 49 },
      },
    };
  })(),
  (() => {
    const ns = 'tenant-a';
    const name = 'api';
    return {
      name: 'replicas missing: namespace quota refuses new pods',
      story:
        'api was scaled to 6 but the ResourceQuota allows 4 pods worth of CPU; the ReplicaSet cannot create the rest',
      alert: {
        labels: rolloutLabels('KubeDeploymentReplicasMismatch', ns, 'deployment', name),
        expr: 'kube_deployment_spec_replicas{job="kube-state-metrics"} > kube_deployment_status_replicas_available{job="kube-state-metrics"}',
        startedMinAgo: 17,
      },
      series: replicaSeries(
        ns,
        name,
        6,
        () => 4,
        () => 6,
      ),
      kube: [
        ...deployment(ns, name, {
          replicas: 6,
          available: 4,
          revisions: [['8', 'registry.example.com/tenant/api:2.0', 30000]],
        }),
        event(
          ns,
          { kind: 'ReplicaSet', name: `${name}-${rsHash('8')}` },
          'FailedCreate',
          'Error creating: pods "api-7d9f8b6c8-bcdfg" is forbidden: exceeded quota: compute, requested: cpu=500m, used: cpu=2, limited: cpu=2',
          { count: 30 },
        ),
        event(
          ns,
          { kind: 'Deployment', name },
          'ScalingReplicaSet',
          `Scaled up replica set ${name}-${rsHash('8')} to 6`,
          { type: 'Normal' },
        ),
      ],
      expect: {
        family: 'k8s_rollout_health',
        classification: 'actionable',
        top: 'rollout.failed_create',
        forbidden: ['change.rollout', 'sig.auth_denied'],
        noise: { max: 49 },
      },
    };
  })(),
  (() => {
    const ns = 'queue';
    const name = 'consumer';
    const pods = [`${name}-${rsHash('6')}-cc2k7`, `${name}-${rsHash('6')}-cc2m7`];
    return {
      name: 'rollout health: new pods crash-loop',
      story:
        'consumer revision 6 rolled out 25 min ago; its pods crash-loop so available replicas stay at 1 of 3',
      alert: {
        labels: rolloutLabels('KubeDeploymentReplicasMismatch', ns, 'deployment', name),
        expr: 'kube_deployment_spec_replicas{job="kube-state-metrics"} > kube_deployment_status_replicas_available{job="kube-state-metrics"}',
        startedMinAgo: 15,
      },
      series: [
        ...replicaSeries(
          ns,
          name,
          3,
          (m) => (m <= 24 ? 1 : 3),
          (m) => (m <= 24 ? 2 : 3),
        ),
        ...pods.map((p) =>
          state(
            'kube_pod_container_status_waiting_reason',
            { namespace: ns, pod: p, container: name, reason: 'CrashLoopBackOff' },
            (m) => (m <= 22 ? 1 : null),
          ),
        ),
      ],
      kube: [
        ...deployment(ns, name, {
          replicas: 3,
          available: 1,
          updated: 2,
          revisions: [
            ['6', 'registry.example.com/queue/consumer:5.0.0', 25],
            ['5', 'registry.example.com/queue/consumer:4.9.1', 8000],
          ],
        }),
        ...pods.map((p) =>
          pod(ns, p, {
            owner: { kind: 'ReplicaSet', name: `${name}-${rsHash('6')}` },
            containers: [
              {
                name,
                image: 'registry.example.com/queue/consumer:5.0.0',
                restarts: 7,
                waiting: { reason: 'CrashLoopBackOff' },
                lastTerminated: { reason: 'Error', exitCode: 1 },
              },
            ],
          }),
        ),
      ],
      podLogs: pods.map((p) => ({
        namespace: ns,
        pod: p,
        container: name,
        logs: {
          previous: previous([
            [2, 'panic: runtime error: invalid memory address or nil pointer dereference'],
          ]),
        },
      })),
      expect: {
        family: 'k8s_rollout_health',
        classification: 'actionable',
        top: 'rollout.crashing',
        forbidden: [],
        noise: { max: 49 },
        mentions: [/5\.0\.0/],
      },
    };
  })(),
];
