import { describe, expect, it } from 'vitest';
import type { EvidenceRequest } from '../collectors/evidence.js';
import { alertExpression, defaultWindow, stepFor } from './alert.js';
import { preliminaryFamily } from './family.js';
import { makeAlert, NOW } from '../testkit/analysis/scenario.js';
import { planEvidence } from './plan.js';

// generatorURL exactly as captured from a real Prometheus (fixture 01-KubePodCrashLooping).
const GENERATOR_URL =
  'http://127.0.0.1:42881/graph?g0.expr=max_over_time%28kube_pod_container_status_waiting_reason%7Bjob%3D%22kube-state-metrics%22%2Creason%3D%22CrashLoopBackOff%22%7D%5B1m%5D%29+%3E%3D+1&g0.tab=1';

const plan = (labels: Record<string, string>, generatorURL: string | null = null) => {
  const alert = { ...makeAlert(labels), generatorURL };
  return planEvidence(alert, preliminaryFamily(alert), defaultWindow(alert, NOW));
};
const queries = (reqs: EvidenceRequest[]) => reqs.flatMap((r) => ('query' in r ? [r.query] : []));

describe('alertExpression', () => {
  it('decodes g0.expr, including + as space', () => {
    expect(alertExpression(GENERATOR_URL)).toBe(
      'max_over_time(kube_pod_container_status_waiting_reason{job="kube-state-metrics",reason="CrashLoopBackOff"}[1m]) >= 1',
    );
    expect(alertExpression('/graph?g0.expr=up+%3D%3D+0')).toBe('up == 0');
    expect(alertExpression(null)).toBeNull();
    expect(alertExpression('http://x/graph?g0.tab=1')).toBeNull();
  });

  it.each([
    ['10 min', '2026-11-26T18:50:00Z', 15],
    ['1 h', '2026-11-26T18:00:00Z', 45],
    ['12 h', '2026-11-26T07:00:00Z', 405],
  ])('chooses a 15 s multiple that keeps a %s range under the collector’s 120 points', (_, start, step) => {
    const window = { start, end: '2026-11-26T19:00:00Z' };
    expect(stepFor(window)).toBe(step);
    const points = (Date.parse(window.end) - Date.parse(start)) / 1000 / step + 1;
    expect(points).toBeLessThanOrEqual(120);
  });
});

describe('planEvidence', () => {
  const crash = plan(
    {
      alertname: 'KubePodCrashLooping',
      namespace: 'payments',
      pod: 'api-7d9f8b6c5-x2k4q',
      container: 'api',
      job: 'kube-state-metrics',
      reason: 'CrashLoopBackOff',
      cluster: 'prod-eu-1',
    },
    GENERATOR_URL,
  );

  it('gives every request a unique id and a title', () => {
    expect(new Set(crash.map((r) => r.id)).size).toBe(crash.length);
    for (const r of crash) expect(r.title.length).toBeGreaterThan(5);
  });

  it('asks Prometheus first, starting with the alert rule as a range query', () => {
    expect(crash[0]).toMatchObject({
      id: 'prom.alert_expr',
      kind: 'range',
      query: alertExpression(GENERATOR_URL),
    });
    const firstOther = crash.findIndex((r) => r.source !== 'prometheus');
    expect(crash.slice(firstOther).every((r) => r.source !== 'prometheus')).toBe(true);
  });

  it('uses kube-state-metrics and cAdvisor metric names scoped to the pod, without external labels', () => {
    const q = queries(crash).join('\n');
    const scope = 'namespace="payments",pod="api-7d9f8b6c5-x2k4q",container="api"';
    expect(q).toContain(`kube_pod_container_status_restarts_total{${scope}}`);
    expect(q).toContain(`kube_pod_container_status_last_terminated_reason{${scope}}`);
    expect(q).toContain(`kube_pod_container_status_waiting_reason{${scope}}`);
    expect(q).toContain(`container_memory_working_set_bytes{${scope}}`);
    expect(q).toContain(`kube_pod_container_resource_limits{${scope},resource="memory"}`);
    expect(q).toContain('kube_pod_container_status_restarts_total{namespace="payments",pod=~"api-.*"}');
    // The alert's own ALERTS series carry its rule labels (job included), never external labels.
    const own = (x: string) => x.includes('ALERTS');
    expect(queries(crash).filter(own).join('\n')).not.toMatch(/cluster=|prometheus=/);
    expect(
      queries(crash)
        .slice(1)
        .filter((x) => !own(x))
        .join('\n'),
    ).not.toMatch(/cluster=|prometheus=|job="kube-state-metrics"/);
  });

  it('asks Alertmanager, Kubernetes and logs for the pod and its Deployment', () => {
    const by = (kind: string) => crash.filter((r) => r.kind === kind);
    expect(by('alerts')[0]).toMatchObject({ alertname: 'KubePodCrashLooping' });
    expect(by('silences')[0]).toMatchObject({ alertname: 'KubePodCrashLooping' });
    expect(by('pod')[0]).toMatchObject({ namespace: 'payments', pod: 'api-7d9f8b6c5-x2k4q' });
    expect(by('workload')[0]).toMatchObject({ workloadKind: 'Deployment', name: 'api' });
    expect(by('events')[0]).toMatchObject({ involvedName: 'api-7d9f8b6c5-x2k4q' });
    expect(by('previous_logs')[0]).toMatchObject({ container: 'api', tailLines: 200 });
    expect(by('logs')[0]).toMatchObject({
      namespace: 'payments',
      pod: 'api-7d9f8b6c5-x2k4q',
      container: 'api',
    });
  });

  it('plans per family', () => {
    const node = plan({ alertname: 'KubeNodeNotReady', node: 'n1', job: 'kube-state-metrics' });
    expect(node.find((r) => r.kind === 'node')).toMatchObject({ node: 'n1' });
    expect(node.find((r) => r.kind === 'events')).toMatchObject({ namespace: 'default', involvedName: 'n1' });
    expect(queries(node)).toContain(
      'last_over_time(kube_node_status_condition{node="n1",status="true"}[86m]) == 1',
    );

    const fs = plan({
      alertname: 'NodeFilesystemSpaceFillingUp',
      instance: '10.0.0.1:9100',
      mountpoint: '/var',
    });
    expect(queries(fs).filter((x) => !x.includes('ALERTS'))[0]).toBe(
      'node_filesystem_avail_bytes{instance="10.0.0.1:9100",mountpoint="/var",fstype=~".+"} / node_filesystem_size_bytes{instance="10.0.0.1:9100",mountpoint="/var",fstype=~".+"}',
    );

    const http = plan({
      alertname: 'HTTP5xxRateHigh',
      namespace: 'storefront',
      job: 'frontend',
      service: 'frontend',
    });
    expect(http.find((r) => r.kind === 'workload')?.title).toMatch(/guessed from the service label/);
    expect(http.find((r) => r.kind === 'logs')).not.toHaveProperty('pod');

    const sts = plan({ alertname: 'KubeStatefulSetReplicasMismatch', namespace: 'db', statefulset: 'pg' });
    expect(queries(sts)).toContain(
      // One selector: `a or b` would drop b, whose labels without the name equal a's.
      '{__name__=~"kube_statefulset_replicas|kube_statefulset_status_replicas_ready|kube_statefulset_status_replicas_updated",namespace="db",statefulset="pg"}',
    );

    const meta = plan({ alertname: 'Watchdog' }, '/graph?g0.expr=vector%281%29');
    expect(meta.map((r) => r.kind)).toEqual(['range', 'alerts', 'silences']);
  });
});
