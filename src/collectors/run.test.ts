import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EvidenceRequest, InstantData, LogsData, PodData } from './evidence.js';
import { NOT_CONFIGURED } from './kubernetes.js';
import { createCollectors } from './run.js';
import { startFakeKubernetes, type FakeKubernetes } from '../testkit/fake-kubernetes.js';
import { startFakeVictoriaLogs, type FakeLogs } from '../testkit/fake-logs.js';
import { loadShopCluster } from '../testkit/kube-fixtures.js';

// The dispatcher: right collector per source, a time bound per call, and never an exception.

const window = { start: new Date(Date.now() - 3_600_000), end: new Date() };

/** A Prometheus look-alike: `/api/v1/query` answers `sleep_ms(N)` after N ms with one series. */
let prom: Server;
let promUrl: string;
let inFlight = 0;
let maxInFlight = 0;
let kube: FakeKubernetes;
let logs: FakeLogs;

beforeAll(async () => {
  prom = createServer(async (req, res) => {
    let body = '';
    for await (const chunk of req) body += chunk;
    const query = new URLSearchParams(body).get('query') ?? '';
    const ms = Number(/sleep_ms\((\d+)\)/.exec(query)?.[1] ?? 0);
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    // Counted until answered or abandoned by the client (a timed-out call closes its socket).
    res.once('close', () => inFlight--);
    setTimeout(() => {
      if (res.destroyed) return;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          status: 'success',
          data: { resultType: 'vector', result: [{ metric: { q: query }, value: [1, String(ms)] }] },
        }),
      );
    }, ms);
  });
  await new Promise<void>((r) => prom.listen(0, '127.0.0.1', r));
  promUrl = `http://127.0.0.1:${(prom.address() as { port: number }).port}`;
  kube = await startFakeKubernetes();
  loadShopCluster(kube);
  logs = await startFakeVictoriaLogs([
    { time: new Date(Date.now() - 60_000), fields: { namespace: 'shop', pod: 'api-1' }, msg: 'hello' },
  ]);
});

afterAll(async () => {
  prom?.closeAllConnections();
  prom?.close();
  await kube?.close();
  await logs?.close();
});

const instant = (id: string, query: string): EvidenceRequest => ({
  id,
  title: id,
  source: 'prometheus',
  kind: 'instant',
  query,
});

describe('createCollectors', () => {
  it('dispatches each source to its collector', async () => {
    const collectors = createCollectors({
      prometheusUrl: promUrl,
      logsUrl: logs.url,
      kube: kube.kubeConfig(),
    });
    const [p, k, l, a] = await collectors.collectAll(
      [
        instant('p', 'sleep_ms(0)'),
        { id: 'k', title: 'pod', source: 'kubernetes', kind: 'pod', namespace: 'shop', pod: 'api-7d9f-x2x' },
        { id: 'l', title: 'logs', source: 'logs', kind: 'logs', namespace: 'shop', pod: 'api-1', limit: 10 },
        { id: 'a', title: 'alerts', source: 'alertmanager', kind: 'alerts', alertname: 'X' },
      ],
      window,
    );
    expect((p!.data as InstantData).series[0]!.labels.q).toBe('sleep_ms(0)');
    expect((k!.data as PodData).containers[0]!.lastTermination?.reason).toBe('OOMKilled');
    expect((l!.data as LogsData).lines.map((x) => x.line)).toEqual(['hello']);
    expect(a).toMatchObject({ status: 'unavailable', source: 'alertmanager', kind: 'alerts' });
  });

  it('bounds every call by the timeout and measures it', async () => {
    const collectors = createCollectors({ prometheusUrl: promUrl, kube: null, timeoutMs: 200 });
    const before = Date.now();
    const item = await collectors.collect(instant('slow', 'sleep_ms(3000)'), window);
    expect(item.status).toBe('unavailable');
    expect(item.error).toBe(`Prometheus at ${promUrl} did not answer within 200 ms`);
    expect(item.durationMs).toBeGreaterThanOrEqual(190);
    expect(item.durationMs).toBeLessThan(1_000);
    expect(Date.parse(item.startedAt)).toBeGreaterThanOrEqual(before);
  });

  it('never throws: malformed requests and failing collectors become error items', async () => {
    const collectors = createCollectors({ prometheusUrl: promUrl, kube: null });
    const bogus = await collectors.collect(
      { id: 'x', title: 'x', source: 'graphite', kind: 'instant' } as unknown as EvidenceRequest,
      window,
    );
    expect(bogus).toMatchObject({
      id: 'x',
      status: 'error',
      data: null,
      error: 'unknown evidence source "graphite"',
    });

    const wrongKind = await collectors.collect(
      { id: 'y', title: 'y', source: 'prometheus', kind: 'topk' } as unknown as EvidenceRequest,
      window,
    );
    expect(wrongKind.error).toBe('unknown prometheus evidence kind "topk"');

    const incomplete = await collectors.collect(
      {
        id: 'v',
        title: 'v',
        source: 'prometheus',
        kind: 'series',
        match: 'up',
      } as unknown as EvidenceRequest,
      window,
    );
    expect(incomplete).toMatchObject({
      status: 'error',
      error: 'prometheus series request needs match (a non-empty list of strings)',
    });
    const noPod = await collectors.collect(
      {
        id: 'u',
        title: 'u',
        source: 'kubernetes',
        kind: 'pod',
        namespace: 'shop',
      } as unknown as EvidenceRequest,
      window,
    );
    expect(noPod.error).toBe('kubernetes pod request needs pod (a string)');

    // A collector that throws half-way (here: the request blows up on its second read).
    let reads = 0;
    const treacherous = {
      id: 'z',
      title: 'z',
      source: 'prometheus',
      kind: 'instant',
      get query() {
        if (++reads > 1) throw new Error('request exploded');
        return 'up';
      },
    } as unknown as EvidenceRequest;
    const broken = await collectors.collect(treacherous, window);
    expect(broken).toMatchObject({ id: 'z', status: 'error', error: 'request exploded', data: null });

    const badWindow = await collectors.collect(instant('w', 'up'), {
      start: new Date(),
      end: new Date(Date.now() - 1000),
    });
    expect(badWindow).toMatchObject({ status: 'error', error: 'time window ends before it starts' });

    const noKube = await collectors.collect(
      { id: 'n', title: 'n', source: 'kubernetes', kind: 'node', node: 'node-1' },
      window,
    );
    expect(noKube).toMatchObject({ status: 'unavailable', error: NOT_CONFIGURED });
  });

  it('reports an unreadable KUBECONFIG on every Kubernetes item instead of failing to start', async () => {
    const saved = { host: process.env.KUBERNETES_SERVICE_HOST, config: process.env.KUBECONFIG };
    delete process.env.KUBERNETES_SERVICE_HOST;
    process.env.KUBECONFIG = '/nonexistent/kubeconfig';
    try {
      const item = await createCollectors({}).collect(
        { id: 'n', title: 'n', source: 'kubernetes', kind: 'node', node: 'node-1' },
        window,
      );
      expect(item.status).toBe('unavailable');
      expect(item.error).toBe(
        'Kubernetes config could not be loaded: KUBECONFIG=/nonexistent/kubeconfig names no existing file',
      );
    } finally {
      if (saved.host !== undefined) process.env.KUBERNETES_SERVICE_HOST = saved.host;
      if (saved.config === undefined) delete process.env.KUBECONFIG;
      else process.env.KUBECONFIG = saved.config;
    }
  });

  it('collectAll keeps request order and at most `concurrency` calls in flight', async () => {
    const collectors = createCollectors({ prometheusUrl: promUrl, kube: null });
    const delays = [120, 10, 80, 5, 60, 30, 90, 15];
    // Let calls abandoned by earlier tests drain first.
    for (let waited = 0; inFlight > 0 && waited < 2_000; waited += 20)
      await new Promise((r) => setTimeout(r, 20));
    maxInFlight = 0;
    const items = await collectors.collectAll(
      delays.map((ms, i) => instant(`q${i}`, `sleep_ms(${ms})`)),
      window,
      3,
    );
    expect(items.map((i) => i.id)).toEqual(delays.map((_, i) => `q${i}`));
    expect(items.map((i) => (i.data as InstantData).series[0]!.value)).toEqual(delays);
    expect(maxInFlight).toBe(3);

    maxInFlight = 0;
    await collectors.collectAll(
      delays.map((ms, i) => instant(`d${i}`, `sleep_ms(${ms})`)),
      window,
    );
    expect(maxInFlight).toBe(6); // the default
    expect(await collectors.collectAll([], window)).toEqual([]);
  });
});
