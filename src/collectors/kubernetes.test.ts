import { writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { EventsData, LogsData, NodeData, PodData, WorkloadData } from './evidence.js';
import { timeoutContext } from './item.js';
import {
  createKubernetesCollector,
  loadKubeConfig,
  NOT_CONFIGURED,
  type KubernetesRequest,
} from './kubernetes.js';
import { kubeConfigFor, startFakeKubernetes, type FakeKubernetes } from '../testkit/fake-kubernetes.js';
import { LONG_LINE, loadShopCluster } from '../testkit/kube-fixtures.js';
import { freePort } from '../testkit/processes.js';

// @kubernetes/client-node, unchanged, against a fake API server speaking the real wire format.

const window = { start: new Date(Date.now() - 3_600_000), end: new Date() };
let kube: FakeKubernetes;

beforeAll(async () => {
  kube = await startFakeKubernetes();
  loadShopCluster(kube);
});
afterAll(async () => {
  await kube?.close();
});
beforeEach(() => {
  kube.requests.length = 0;
});

const collect = (request: KubernetesRequest, ctx = timeoutContext()) =>
  createKubernetesCollector(kube.kubeConfig()).collect(request, window, ctx);
const pod = (name: string, namespace = 'shop'): KubernetesRequest => ({
  id: 'p',
  title: 'pod',
  source: 'kubernetes',
  kind: 'pod',
  namespace,
  pod: name,
});

describe('pod', () => {
  it('shows why a container crash-loops: waiting reason, OOMKilled last run, restarts, owner chain', async () => {
    const item = await collect(pod('api-7d9f-x2x'));
    expect(item.status).toBe('ok');
    expect(item.query).toBe('GET /api/v1/namespaces/shop/pods/api-7d9f-x2x');
    const data = item.data as PodData;
    expect(data).toMatchObject({
      name: 'api-7d9f-x2x',
      namespace: 'shop',
      phase: 'Running',
      node: 'node-1',
      labels: { app: 'api' },
    });
    expect(data.owners).toEqual([
      { kind: 'ReplicaSet', name: 'api-7d9f' },
      { kind: 'Deployment', name: 'api' },
    ]);
    expect(data.containers).toEqual([
      {
        name: 'api',
        image: 'registry.example.com/shop/api:1.4.2',
        ready: false,
        restartCount: 7,
        state: 'waiting',
        reason: 'CrashLoopBackOff',
        message: 'back-off 5m0s restarting failed container=api pod=api-7d9f-x2x_shop(uid-api-7d9f-x2x)',
        lastTermination: { reason: 'OOMKilled', exitCode: 137, finishedAt: '2026-03-01T11:58:00.000Z' },
      },
      { name: 'log-shipper', image: 'fluent-bit:3.0', ready: true, restartCount: 0, state: 'running' },
    ]);
    expect(data.conditions).toContainEqual({
      type: 'Ready',
      status: 'False',
      reason: 'ContainersNotReady',
      message: 'containers with unready status: [api]',
    });
    // The chain was followed with real reads.
    expect(kube.requests).toEqual([
      'GET /api/v1/namespaces/shop/pods/api-7d9f-x2x',
      'GET /apis/apps/v1/namespaces/shop/replicasets/api-7d9f',
      'GET /apis/apps/v1/namespaces/shop/deployments/api',
    ]);
  });

  it('reports ImagePullBackOff and follows Job → CronJob and StatefulSet owners', async () => {
    const pulling = (await collect(pod('api-7d9f-y3y'))).data as PodData;
    expect(pulling.containers[0]).toMatchObject({
      state: 'waiting',
      reason: 'ImagePullBackOff',
      restartCount: 0,
    });

    const backup = (await collect(pod('backup-28120-k7p2q'))).data as PodData;
    expect(backup.phase).toBe('Failed');
    expect(backup.owners).toEqual([
      { kind: 'Job', name: 'backup-28120' },
      { kind: 'CronJob', name: 'backup' },
    ]);
    expect(backup.containers[0]).toMatchObject({
      state: 'terminated',
      reason: 'Error',
      message: 'pg_dump: connection refused',
    });

    const db = (await collect(pod('db-0'))).data as PodData;
    expect(db.owners).toEqual([{ kind: 'StatefulSet', name: 'db' }]);
  });

  it('says empty, in words, when the pod is gone', async () => {
    const item = await collect(pod('api-123'));
    expect(item).toMatchObject({
      status: 'empty',
      data: null,
      query: 'GET /api/v1/namespaces/shop/pods/api-123',
      error: 'pod shop/api-123 not found (it may have been replaced)',
    });
  });

  it('points at RBAC when the API forbids a read', async () => {
    const denied = await startFakeKubernetes();
    try {
      loadShopCluster(denied);
      denied.forbid('pods');
      const item = await createKubernetesCollector(denied.kubeConfig()).collect(pod('api-7d9f-x2x'), window);
      expect(item.status).toBe('error');
      expect(item.error).toMatch(
        /^Kubernetes API denied get pods in namespace shop \(403 Forbidden\): pods "api-7d9f-x2x" is forbidden: .*RBAC/,
      );
    } finally {
      await denied.close();
    }
  });

  it('still reports the pod when an owner cannot be read', async () => {
    const partial = await startFakeKubernetes();
    try {
      loadShopCluster(partial);
      partial.forbid('replicasets');
      const item = await createKubernetesCollector(partial.kubeConfig()).collect(pod('api-7d9f-x2x'), window);
      expect(item.status).toBe('ok');
      expect((item.data as PodData).owners).toEqual([{ kind: 'ReplicaSet', name: 'api-7d9f' }]);
    } finally {
      await partial.close();
    }
  });
});

describe('workload', () => {
  const workload = (
    workloadKind: 'Deployment' | 'StatefulSet' | 'CronJob' | 'Job' | 'ReplicaSet',
    name: string,
  ): KubernetesRequest => ({
    id: 'w',
    title: 'workload',
    source: 'kubernetes',
    kind: 'workload',
    namespace: 'shop',
    workloadKind,
    name,
  });

  it('shows a stuck rollout: replicas, ProgressDeadlineExceeded and the five newest revisions with images', async () => {
    const item = await collect(workload('Deployment', 'api'));
    expect(item.status).toBe('ok');
    expect(item.query).toBe('GET /apis/apps/v1/namespaces/shop/deployments/api');
    const data = item.data as WorkloadData;
    expect(data).toMatchObject({
      kind: 'Deployment',
      name: 'api',
      desiredReplicas: 3,
      readyReplicas: 2,
      updatedReplicas: 1,
      availableReplicas: 2,
    });
    expect(data.conditions).toContainEqual({
      type: 'Progressing',
      status: 'False',
      reason: 'ProgressDeadlineExceeded',
      message: 'ReplicaSet "api-7d9f" has timed out progressing.',
    });
    // Newest first, at most five, only this Deployment's ReplicaSets (not the canary look-alike).
    expect(data.revisions.map((r) => r.revision)).toEqual(['7', '6', '5', '4', '3']);
    expect(data.revisions[0]).toEqual({
      revision: '7',
      images: ['registry.example.com/shop/api:1.4.2', 'fluent-bit:3.0'],
      createdAt: '2026-03-01T09:00:00.000Z',
    });
    expect(data.revisions[1]!.images[0]).toBe('registry.example.com/shop/api:1.4.1');
    expect(kube.requests).toContain(
      'GET /apis/apps/v1/namespaces/shop/replicasets?labelSelector=app%3Dapi&limit=250',
    );
  });

  it('reads StatefulSet history from its ControllerRevisions', async () => {
    const data = (await collect(workload('StatefulSet', 'db'))).data as WorkloadData;
    expect(data).toMatchObject({
      kind: 'StatefulSet',
      desiredReplicas: 2,
      readyReplicas: 1,
      updatedReplicas: 1,
    });
    expect(data.revisions).toEqual([
      { revision: '2', images: ['postgres:16.2'], createdAt: '2026-03-01T07:00:00.000Z' },
      { revision: '1', images: ['postgres:16.1'], createdAt: '2026-03-01T05:20:00.000Z' },
    ]);
  });

  it("lists a CronJob's last jobs, newest first, and counts failures", async () => {
    const data = (await collect(workload('CronJob', 'backup'))).data as WorkloadData;
    expect(data.revisions.map((r) => r.revision)).toEqual(['backup-28120', 'backup-28060', 'backup-28000']);
    expect(data.revisions[0]!.images).toEqual(['backup-tool:2.1']);
    expect(data).toMatchObject({ failed: 2, succeeded: 1 });
    expect(data.conditions).toContainEqual({
      type: 'Failed',
      status: 'True',
      reason: 'BackoffLimitExceeded',
      message: 'last job backup-28120: Job has reached the specified backoff limit',
    });
  });

  it('reports a Job with its failed and succeeded counts', async () => {
    const data = (await collect(workload('Job', 'backup-28120'))).data as WorkloadData;
    expect(data).toMatchObject({ kind: 'Job', failed: 3, succeeded: 0 });
    expect(data.conditions[0]).toMatchObject({ type: 'Failed', reason: 'BackoffLimitExceeded' });
  });

  it('says empty when the workload does not exist', async () => {
    const item = await collect(workload('Deployment', 'nope'));
    expect(item.status).toBe('empty');
    expect(item.error).toBe('deployment shop/nope not found (it may have been deleted or renamed)');
  });
});

describe('events', () => {
  it("returns the newest 30 events of one object, filtered by the API's field selector", async () => {
    const item = await collect({
      id: 'e',
      title: 'events',
      source: 'kubernetes',
      kind: 'events',
      namespace: 'shop',
      involvedName: 'api-7d9f-x2x',
    });
    expect(item.status).toBe('ok');
    expect(item.truncated).toBe(true);
    expect(item.query).toBe(
      'GET /api/v1/namespaces/shop/events?fieldSelector=involvedObject.name=api-7d9f-x2x',
    );
    const events = (item.data as EventsData).events;
    expect(events).toHaveLength(30);
    expect(events.every((e) => e.object === 'Pod/api-7d9f-x2x')).toBe(true);
    expect(events[0]).toEqual({
      type: 'Warning',
      reason: 'Killing',
      message: 'Container api exceeded its memory limit',
      object: 'Pod/api-7d9f-x2x',
      count: 40,
      lastSeen: '2026-03-01T11:59:00.000Z',
    });
    expect(events.at(-1)!.lastSeen).toBe('2026-03-01T11:30:00.000Z');
    expect(kube.requests).toEqual([
      'GET /api/v1/namespaces/shop/events?fieldSelector=involvedObject.name%3Dapi-7d9f-x2x&limit=250',
    ]);
  });

  it('says empty when nothing happened', async () => {
    const item = await collect({
      id: 'e',
      title: 'events',
      source: 'kubernetes',
      kind: 'events',
      namespace: 'shop',
      involvedName: 'quiet',
    });
    expect(item.status).toBe('empty');
  });
});

describe('node', () => {
  it('shows conditions, cordon and labels', async () => {
    const item = await collect({
      id: 'n',
      title: 'node',
      source: 'kubernetes',
      kind: 'node',
      node: 'node-1',
    });
    expect(item.query).toBe('GET /api/v1/nodes/node-1');
    const data = item.data as NodeData;
    expect(data.unschedulable).toBe(true);
    expect(data.labels['node.kubernetes.io/instance-type']).toBe('m5.large');
    expect(data.conditions).toContainEqual({
      type: 'MemoryPressure',
      status: 'True',
      reason: 'KubeletHasInsufficientMemory',
      message: 'kubelet has insufficient memory available',
    });
    const gone = await collect({
      id: 'n',
      title: 'node',
      source: 'kubernetes',
      kind: 'node',
      node: 'node-9',
    });
    expect(gone.error).toBe('node node-9 not found (it may have been removed from the cluster)');
  });
});

describe('previous_logs', () => {
  const logs = (podName: string, tailLines: number, container?: string): KubernetesRequest => ({
    id: 'l',
    title: 'previous logs',
    source: 'kubernetes',
    kind: 'previous_logs',
    namespace: 'shop',
    pod: podName,
    tailLines,
    ...(container ? { container } : {}),
  });

  it("reads the last run's tail, at most 200 lines of at most 2,000 characters", async () => {
    const item = await collect(logs('api-7d9f-x2x', 1000, 'api'));
    expect(item.status).toBe('ok');
    expect(item.title).toBe('previous logs');
    expect(item.query).toBe(
      'GET /api/v1/namespaces/shop/pods/api-7d9f-x2x/log?container=api&previous=true&tailLines=200&timestamps=true',
    );
    const data = item.data as LogsData;
    expect(data.backend).toBe('kubernetes');
    expect(data.lines).toHaveLength(200);
    expect(data.lines.at(-1)).toEqual({
      time: '2026-03-01T11:57:24.900000000Z',
      line: 'fatal error: runtime: out of memory',
    });
    const long = data.lines.find((l) => l.line.startsWith('panic:'))!;
    expect(long.line).toHaveLength(2_000);
    expect(long.line).toBe(LONG_LINE.slice(0, 2_000));
    expect(item.truncated).toBe(true);
  });

  it('picks the most restarted container when none is named', async () => {
    const item = await collect(logs('api-7d9f-x2x', 5));
    expect(item.query).toContain('container=api&previous=true&tailLines=5');
    expect((item.data as LogsData).lines.map((l) => l.line).at(-1)).toBe(
      'fatal error: runtime: out of memory',
    );
  });

  it('falls back to current logs, and says so, when the container never restarted', async () => {
    const item = await collect(logs('api-7d9f-x2x', 50, 'log-shipper'));
    expect(item.status).toBe('ok');
    expect(item.title).toBe('previous logs (current logs: the container has no previous run)');
    expect(item.query).toBe(
      'GET /api/v1/namespaces/shop/pods/api-7d9f-x2x/log?container=log-shipper&tailLines=50&timestamps=true',
    );
    expect((item.data as LogsData).lines.map((l) => l.line)).toEqual([
      'fluent-bit started',
      'shipping to loki',
    ]);

    const never = await collect(logs('api-7d9f-y3y', 50));
    expect(never.status).toBe('empty');
    expect(never.title).toMatch(/current logs/);
  });

  it('says the pod is gone when it is', async () => {
    const item = await collect(logs('api-123', 50, 'api'));
    expect(item).toMatchObject({
      status: 'empty',
      error: 'pod shop/api-123 not found (it may have been replaced)',
    });
  });
});

describe('when the Kubernetes API is not usable', () => {
  it('is unavailable when not configured', async () => {
    const item = await createKubernetesCollector(null).collect(pod('api-1'), window);
    expect(item).toMatchObject({
      status: 'unavailable',
      error: NOT_CONFIGURED,
      query: 'GET /api/v1/namespaces/shop/pods/api-1',
    });
    expect(NOT_CONFIGURED).toBe(
      'Kubernetes API not configured (no in-cluster service account and no KUBECONFIG)',
    );
  });

  it('is unavailable when the API server refuses connections', async () => {
    const port = await freePort();
    const item = await createKubernetesCollector(kubeConfigFor(`http://127.0.0.1:${port}`, 't')).collect(
      pod('api-1'),
      window,
    );
    expect(item.status).toBe('unavailable');
    expect(item.error).toBe(
      `Kubernetes API at http://127.0.0.1:${port} unreachable: connect ECONNREFUSED 127.0.0.1:${port}`,
    );
  });

  it('is unavailable when the API server is too slow', async () => {
    const slow = await startFakeKubernetes();
    try {
      loadShopCluster(slow);
      slow.delay(1_000);
      const started = Date.now();
      const item = await createKubernetesCollector(slow.kubeConfig()).collect(
        pod('api-7d9f-x2x'),
        window,
        timeoutContext(150),
      );
      expect(item.status).toBe('unavailable');
      expect(item.error).toBe(`Kubernetes API at ${slow.url} did not answer within 150 ms`);
      expect(Date.now() - started).toBeLessThan(900);
    } finally {
      await slow.close();
    }
  });

  it('reports rejected credentials as an error', async () => {
    const item = await createKubernetesCollector(kubeConfigFor(kube.url, 'wrong')).collect(
      pod('api-7d9f-x2x'),
      window,
    );
    expect(item.status).toBe('error');
    expect(item.error).toMatch(/401 Unauthorized/);
  });
});

describe('loadKubeConfig', () => {
  it('uses no config without in-cluster env or KUBECONFIG, and reads KUBECONFIG when set', async () => {
    expect(loadKubeConfig({})).toBeNull();
    const dir = await mkdtemp(join(tmpdir(), 'tarka-kubeconfig-'));
    try {
      const file = join(dir, 'config');
      writeFileSync(
        file,
        `apiVersion: v1
kind: Config
clusters: [{name: fake, cluster: {server: "${kube.url}", insecure-skip-tls-verify: true}}]
users: [{name: tarka, user: {token: ${kube.token}}}]
contexts: [{name: fake, context: {cluster: fake, user: tarka}}]
current-context: fake
`,
      );
      const kc = loadKubeConfig({ KUBECONFIG: file });
      expect(kc?.getCurrentCluster()?.server).toBe(kube.url);
      const item = await createKubernetesCollector(kc).collect(pod('api-7d9f-x2x'), window);
      expect(item.error).toBeUndefined();
      expect(item.status).toBe('ok');
      expect(() => loadKubeConfig({ KUBECONFIG: join(dir, 'missing') })).toThrow(/names no existing file/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('lists are bounded (KUBE_LIST_LIMIT)', () => {
  const events = (namespace: string): KubernetesRequest => ({
    id: 'e',
    title: 'events',
    source: 'kubernetes',
    kind: 'events',
    namespace,
  });
  const listCalls = () => kube.requests.filter((r) => /\/(events|replicasets)\?/.test(r));

  it('pages with limit and continue, holds at most the limit, and says how many it left unread', async () => {
    const busy = Array.from({ length: 620 }, (_, i) => ({
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name: `noisy.${String(i).padStart(4, '0')}`, namespace: 'busy', uid: `uid-noisy-${i}` },
      involvedObject: { kind: 'Pod', namespace: 'busy', name: 'noisy' },
      reason: 'BackOff',
      message: 'Back-off restarting failed container',
      lastTimestamp: new Date(Date.parse('2026-03-01T12:00:00Z') - i * 1000).toISOString(),
      count: 1,
      type: 'Warning',
    }));
    kube.add(...busy);
    const item = await collect(events('busy'));
    expect(item.status).toBe('ok');
    expect(item.truncated).toBe(true);
    expect(item.error).toMatch(/listed only the first 500 events \(120 more, not read: KUBE_LIST_LIMIT\)/);
    expect((item.data as EventsData).events).toHaveLength(30);
    const calls = listCalls();
    expect(calls).toHaveLength(2);
    expect(calls.every((c) => /[?&]limit=250(&|$)/.test(c))).toBe(true);
    expect(calls[1]).toMatch(/[?&]continue=/);
  });

  it('stops at a smaller configured limit, with one request of that size', async () => {
    const item = await createKubernetesCollector(kube.kubeConfig(), undefined, { listLimit: 20 }).collect(
      events('shop'),
      window,
    );
    expect(item.truncated).toBe(true);
    expect(item.error).toMatch(/listed only the first 20 events \(23 more/);
    expect(listCalls()).toEqual([expect.stringMatching(/[?&]limit=20(&|$)/)]);
  });

  it('says so when the revision history of a workload was cut', async () => {
    const item = await createKubernetesCollector(kube.kubeConfig(), undefined, { listLimit: 5 }).collect(
      {
        id: 'w',
        title: 'deployment',
        source: 'kubernetes',
        kind: 'workload',
        workloadKind: 'Deployment',
        namespace: 'shop',
        name: 'api',
      },
      window,
    );
    expect(item.status).toBe('ok');
    expect(item.truncated).toBe(true);
    // A label selector: the API server does not count what is left.
    expect(item.error).toMatch(
      /revisions: listed only the first 5 replicasets \(more exist, not read: KUBE_LIST_LIMIT\)/,
    );
    expect((item.data as WorkloadData).revisions.length).toBeLessThanOrEqual(5);
  });
});
