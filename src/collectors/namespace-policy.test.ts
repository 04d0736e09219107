import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EvidenceRequest } from './evidence.js';
import { investigate } from '../investigation/investigate.js';
import { createToolkit } from '../investigation/toolkit.js';
import { loadConfig } from '../shared/config.js';
import { namespaceDenial, requestDenial, requestNamespaces } from './namespace-policy.js';
import { createCollectors } from './run.js';
import { startFakeKubernetes, type FakeKubernetes } from '../testkit/fake-kubernetes.js';
import { startFakeVictoriaLogs, type FakeLogs } from '../testkit/fake-logs.js';
import { loadShopCluster } from '../testkit/kube-fixtures.js';

describe('namespace policy', () => {
  it('reads everything without a policy, denies what matches the deny list, and deny wins over allow', () => {
    expect(namespaceDenial({ allow: [], deny: [] }, 'shop')).toBeNull();
    expect(namespaceDenial({ allow: [], deny: ['kube-*'] }, 'kube-system')).toBe(
      'not read: namespace "kube-system" denied by policy (COLLECTOR_NAMESPACES_DENY)',
    );
    expect(namespaceDenial({ allow: ['*'], deny: ['secret'] }, 'secret')).toMatch(
      /COLLECTOR_NAMESPACES_DENY/,
    );
    expect(namespaceDenial({ allow: [], deny: ['kube-*'] }, 'kubernetes')).toBeNull();
  });

  it('reads only allowed namespaces when an allow list is set: exact names and globs', () => {
    const policy = { allow: ['shop', 'team-?'], deny: [] };
    expect(namespaceDenial(policy, 'shop')).toBeNull();
    expect(namespaceDenial(policy, 'team-a')).toBeNull();
    expect(namespaceDenial(policy, 'team-ab')).toBe(
      'not read: namespace "team-ab" denied by policy (not in COLLECTOR_NAMESPACES_ALLOW)',
    );
    // Glob characters only: a dot is a dot.
    expect(namespaceDenial({ allow: ['a.b'], deny: [] }, 'axb')).not.toBeNull();
  });

  it('finds the namespaces a request reads, including exact namespace matchers in PromQL', () => {
    const prom = (query: string) =>
      ({ id: 'p', title: 'p', source: 'prometheus', kind: 'instant', query }) as EvidenceRequest;
    expect(requestNamespaces(prom('up{namespace="shop",pod="a"} or up{namespace = "pay"}'))).toEqual([
      'shop',
      'pay',
    ]);
    // Regex and negative matchers, and other labels ending in "namespace", are not a scope.
    expect(requestNamespaces(prom('up{namespace=~"sh.*", exported_namespace="x", namespace!="y"}'))).toEqual(
      [],
    );
    expect(requestDenial({ allow: [], deny: ['shop'] }, prom('rate(x{namespace="shop"}[5m])'))).toMatch(
      /denied by policy/,
    );
    expect(requestDenial({ allow: [], deny: ['shop'] }, prom('sum(rate(x[5m]))'))).toBeNull();
  });
});

describe('namespace policy where collectors read', () => {
  let kube: FakeKubernetes;
  let logs: FakeLogs;
  const window = { start: new Date(Date.now() - 3_600_000), end: new Date() };

  beforeAll(async () => {
    kube = await startFakeKubernetes();
    loadShopCluster(kube);
    logs = await startFakeVictoriaLogs([
      { time: new Date(Date.now() - 60_000), fields: { namespace: 'shop', pod: 'api-1' }, msg: 'hello' },
    ]);
  });
  afterAll(async () => {
    await kube.close();
    await logs.close();
  });

  it('sends nothing for a denied namespace and says so; other namespaces are read as before', async () => {
    const collectors = createCollectors({
      kube: kube.kubeConfig(),
      logsUrl: logs.url,
      logsBackend: 'victorialogs',
      namespaces: { allow: [], deny: ['shop'] },
    });
    kube.requests.length = 0;
    logs.requests.length = 0;
    const [pod, logItem, node] = await collectors.collectAll(
      [
        { id: 'k', title: 'pod', source: 'kubernetes', kind: 'pod', namespace: 'shop', pod: 'api-7d9f-x2x' },
        { id: 'l', title: 'logs', source: 'logs', kind: 'logs', namespace: 'shop', pod: 'api-1', limit: 10 },
        { id: 'n', title: 'node', source: 'kubernetes', kind: 'node', node: 'node-1' },
      ],
      window,
    );
    const denied = 'not read: namespace "shop" denied by policy (COLLECTOR_NAMESPACES_DENY)';
    expect(pod).toMatchObject({ status: 'unavailable', error: denied, data: null });
    expect(logItem).toMatchObject({ status: 'unavailable', error: denied, data: null });
    expect(kube.requests.some((r) => r.includes('/namespaces/shop/'))).toBe(false);
    expect(logs.requests).toHaveLength(0);
    // A cluster-scoped object is not in any namespace.
    expect(node!.status).toBe('ok');
  });

  it('lists a denied namespace among the unknowns of the report, never as silently empty', async () => {
    const config = loadConfig({
      COLLECTOR_NAMESPACES_DENY: 'shop',
      LOGS_URL: logs.url,
      LOGS_BACKEND: 'victorialogs',
    } as NodeJS.ProcessEnv);
    const toolkit = createToolkit(config, { kube: kube.kubeConfig() });
    const report = await investigate(
      {
        fingerprint: 'f1',
        labels: {
          alertname: 'KubePodCrashLooping',
          namespace: 'shop',
          pod: 'api-7d9f-x2x',
          container: 'api',
          severity: 'warning',
        },
        annotations: {},
        startsAt: new Date(Date.now() - 600_000).toISOString(),
        generatorURL: null,
      },
      { start: window.start.toISOString(), end: window.end.toISOString() },
      toolkit,
      async () => undefined,
    );
    const unknowns = (report as unknown as { unknowns: string[] }).unknowns.join('\n');
    expect(unknowns).toMatch(/not read: namespace "shop" denied by policy \(COLLECTOR_NAMESPACES_DENY\)/);
    expect(kube.requests.some((r) => r.includes('/namespaces/shop/'))).toBe(false);
  });
});
