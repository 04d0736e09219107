import { describe, expect, it } from 'vitest';
import { candidateKeys, incidentIdFor, reasonIn, windowStart } from './keys.js';

const kinds = (labels: Record<string, string>, annotations = {}) =>
  candidateKeys(labels, annotations).map((c) => `${c.key.kind}:${c.key.value}`);

describe('correlation keys', () => {
  it('reads a rollout from the pod name’s template hash, then the workload, the node and the alert', () =>
    expect(
      kinds({ alertname: 'KubePodCrashLooping', namespace: 'shop', pod: 'api-7c9f8d6b5-x2k4q', node: 'n1' }),
    ).toEqual([
      'rollout:shop/Deployment/api@7c9f8d6b5',
      'workload:shop/Deployment/api',
      'node:n1',
      'alert:shop/KubePodCrashLooping',
    ]));

  it('takes a revision from labels or annotations when the pod name has none', () => {
    expect(
      kinds({ alertname: 'A', namespace: 'db', pod: 'pg-0', controller_revision_hash: 'pg-5f6' })[0],
    ).toBe('rollout:db/StatefulSet/pg@pg-5f6');
    expect(
      kinds(
        { alertname: 'A', namespace: 'shop', deployment: 'api' },
        { 'deployment.kubernetes.io/revision': '12' },
      )[0],
    ).toBe('rollout:shop/Deployment/api@12');
  });

  it('groups callers of one dependency, and a service-level alert by its service', () => {
    expect(
      kinds({ alertname: 'Http5xx', namespace: 'shop', deployment: 'web', upstream: 'payments' }),
    ).toContain('dependency:shop/payments');
    expect(kinds({ alertname: 'Http5xx', namespace: 'shop', service: 'cart' })[0]).toBe(
      'dependency:shop/cart',
    );
  });

  it('keeps node alerts on their node and gives keyless alerts their name only', () => {
    expect(kinds({ alertname: 'NodeNotReady', node: 'n7' })).toEqual(['node:n7', 'alert:-/NodeNotReady']);
    expect(kinds({ alertname: 'Watchdog' })).toEqual(['alert:-/Watchdog']);
    expect(kinds({})).toEqual([]);
  });

  it('does not take the exporter’s own pod for the subject (kube-state-metrics without honorLabels)', () =>
    expect(
      kinds({
        alertname: 'KubeJobFailed',
        namespace: 'batch',
        pod: 'kube-state-metrics-6d9f8c7b5-abcde',
        container: 'kube-state-metrics',
        job_name: 'nightly',
      })[0],
    ).toBe('workload:batch/Job/nightly'));
});

describe('incident ids and windows', () => {
  const key = { kind: 'workload' as const, value: 'shop/Deployment/api' };
  it('names the same key in the same window the same way, and nothing else so', () => {
    const w = windowStart('2026-12-06T06:07:00Z', 15 * 60_000);
    expect(w).toBe('2026-12-06T06:00:00.000Z');
    expect(windowStart('2026-12-06T06:14:59Z', 15 * 60_000)).toBe(w);
    expect(incidentIdFor(key, w)).toBe(incidentIdFor({ ...key }, w));
    expect(incidentIdFor(key, w)).not.toBe(incidentIdFor(key, '2026-12-06T06:15:00.000Z'));
    expect(incidentIdFor(key, w)).not.toBe(incidentIdFor({ kind: 'node', value: key.value }, w));
    expect(incidentIdFor(key, w)).toMatch(/^inc-[0-9a-f]{24}$/);
  });
  it('calls the opener’s alert across pods of a workload "same alert"', () => {
    const [rollout] = candidateKeys({ alertname: 'A', namespace: 's', pod: 'api-7c9f8d6b5-x2k4q' });
    expect(reasonIn(rollout!, { alertname: 'A' }, 'A').kind).toBe('same_alert');
    expect(reasonIn(rollout!, { alertname: 'A' }, 'B').kind).toBe('same_rollout');
    expect(reasonIn(rollout!, null, 'A').kind).toBe('same_rollout');
  });
});
