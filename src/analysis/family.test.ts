import { describe, expect, it } from 'vitest';
import { EV } from './ids.js';
import { container, pod } from '../testkit/analysis/kube.js';
import { collect, instant, makeAlert } from '../testkit/analysis/scenario.js';
import { preliminaryFamily, refineFamily, type Family } from './family.js';

describe('preliminaryFamily', () => {
  it.each<[string, Record<string, string>, Family, string | null]>([
    ['KubePodCrashLooping', {}, 'crashloop', null],
    ['KubePodNotReady', {}, 'pod_not_healthy', 'not_ready'],
    ['KubeContainerWaiting', {}, 'pod_not_healthy', 'waiting'],
    ['KubeDeploymentReplicasMismatch', {}, 'k8s_rollout_health', 'replicas_mismatch'],
    ['KubeDeploymentRolloutStuck', {}, 'k8s_rollout_health', 'rollout_stuck'],
    ['KubeStatefulSetReplicasMismatch', {}, 'k8s_rollout_health', 'replicas_mismatch'],
    ['KubeDaemonSetRolloutStuck', {}, 'k8s_rollout_health', 'rollout_stuck'],
    ['KubeJobFailed', {}, 'job_failed', 'failed'],
    ['KubeJobNotCompleted', {}, 'job_failed', 'not_completed'],
    ['CPUThrottlingHigh', {}, 'cpu_throttling', null],
    ['KubeMemoryOvercommit', {}, 'memory_pressure', 'cluster_overcommit'],
    ['KubeNodeNotReady', {}, 'pod_not_healthy', 'node_not_ready'],
    ['KubeNodeUnreachable', {}, 'pod_not_healthy', 'node_unreachable'],
    ['KubeNodePressure', { condition: 'DiskPressure' }, 'generic', 'node_disk_pressure'],
    ['KubeNodePressure', { condition: 'MemoryPressure' }, 'memory_pressure', 'node_memory_pressure'],
    ['NodeFilesystemSpaceFillingUp', {}, 'generic', 'node_filesystem'],
    ['PrometheusRemoteWriteBehind', {}, 'observability_pipeline', 'remote_write'],
    ['AlertmanagerFailedToSendAlerts', {}, 'observability_pipeline', 'alertmanager_delivery'],
    ['PrometheusRuleFailures', {}, 'observability_pipeline', 'rule_evaluation'],
    ['AlertmanagerClusterCrashlooping', {}, 'observability_pipeline', 'alertmanager_cluster'],
    ['VMAgentRemoteWriteErrors', {}, 'observability_pipeline', null],
    ['PrometheusTargetMissing', {}, 'target_down', null],
    ['BlackboxProbeFailed', {}, 'target_down', 'probe'],
    ['RedisDown', {}, 'target_down', null],
    ['TargetDown', {}, 'target_down', null],
    ['Watchdog', {}, 'meta', 'heartbeat'],
    ['InfoInhibitor', {}, 'meta', 'inhibitor'],
    ['DeadMansSwitch', {}, 'meta', 'heartbeat'],
    ['HTTP5xxRateHigh', {}, 'http_5xx', null],
    ['CheckoutErrorRateHigh', {}, 'http_5xx', null],
    ['APILatencyP99High', {}, 'http_5xx', 'latency'],
    ['ContainerTerminated', { reason: 'OOMKilled' }, 'oom_killed', null],
    ['PodIssue', { reason: 'CrashLoopBackOff' }, 'crashloop', null],
    ['PodIssue', { reason: 'ErrImagePull' }, 'pod_not_healthy', 'image_pull'],
    ['PodIssue', { reason: 'CreateContainerConfigError' }, 'pod_not_healthy', 'config_error'],
    ['SomethingNobodyKnows', {}, 'generic', null],
  ])('%s %j → %s', (alertname, extra, family, sub) => {
    const d = preliminaryFamily(makeAlert({ alertname, ...extra }));
    expect(d.family).toBe(family);
    expect(d.subReason).toBe(sub);
    expect(d.reasons.length).toBeGreaterThan(0);
  });

  it('says which label decided it', () => {
    const d = preliminaryFamily(makeAlert({ alertname: 'KubePodCrashLooping', reason: 'CrashLoopBackOff' }));
    expect(d.reasons[0]).toBe('label reason="CrashLoopBackOff"');
  });

  it.each<[string, Family]>([
    ['increase(kube_pod_container_status_restarts_total[1h]) > 5', 'crashloop'],
    ['up{job="api"} == 0', 'target_down'],
    ['kube_node_status_condition{condition="DiskPressure",status="true"} == 1', 'generic'],
    ['sum(rate(http_requests_total{status=~"5.."}[5m])) > 1', 'http_5xx'],
  ])('falls back to the rule expression: %s → %s', (expr, family) => {
    const d = preliminaryFamily(makeAlert({ alertname: 'Opaque' }, { expr }));
    expect(d.family).toBe(family);
    expect(d.reasons[0]).toMatch(/rule expression/);
  });
});

describe('refineFamily', () => {
  const labels = { alertname: 'KubePodNotReady', namespace: 'shop', pod: 'web-0' };
  const requests = [
    { id: EV.pod, title: 'Pod', source: 'kubernetes', kind: 'pod', namespace: 'shop', pod: 'web-0' } as const,
    {
      id: EV.lastTerminated,
      title: 'Last termination',
      source: 'prometheus',
      kind: 'instant',
      query: 'q',
    } as const,
  ];

  it('CreateContainerConfigError → pod_not_healthy (config_error)', () => {
    const ev = collect([...requests], {
      [EV.pod]: pod({
        name: 'web-0',
        namespace: 'shop',
        containers: [container({ name: 'web', state: 'waiting', reason: 'CreateContainerConfigError' })],
      }),
    });
    const f = refineFamily(makeAlert(labels), preliminaryFamily(makeAlert(labels)), ev);
    expect(f).toMatchObject({
      family: 'pod_not_healthy',
      subReason: 'config_error',
      preliminary: 'pod_not_healthy',
    });
  });

  it('OOMKilled from kube-state-metrics alone is enough', () => {
    const ev = collect([...requests], {
      [EV.pod]: { status: 'unavailable', error: 'forbidden' },
      [EV.lastTerminated]: instant([{ labels: { reason: 'OOMKilled' }, value: 1 }]),
    });
    const alert = makeAlert({ ...labels, alertname: 'KubePodCrashLooping' });
    const f = refineFamily(alert, preliminaryFamily(alert), ev);
    expect(f.family).toBe('oom_killed');
    expect(f.reasons.at(-1)).toContain(EV.lastTerminated);
  });

  it('leaves node and service families alone', () => {
    const alert = makeAlert({ alertname: 'KubeNodeNotReady', node: 'n1' });
    const ev = collect([...requests], {
      [EV.lastTerminated]: instant([{ labels: { reason: 'OOMKilled' }, value: 1 }]),
    });
    expect(refineFamily(alert, preliminaryFamily(alert), ev).family).toBe('pod_not_healthy');
  });
});
