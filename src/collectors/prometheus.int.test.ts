import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InstantData, RangeData, SeriesData } from './evidence.js';
import { timeoutContext } from './item.js';
import {
  createPrometheusCollector,
  downsample,
  MAX_POINTS,
  MAX_SERIES,
  type PrometheusRequest,
} from './prometheus.js';
import { selector } from './promql.js';
import { freePort } from '../testkit/processes.js';
import { defaultSeries, startPrometheus, type PrometheusFixture } from '../testkit/prometheus.js';

// Against a real Prometheus with three hours of synthetic history.

const NASTY = ['a"b', 'back\\slash', 'two\nlines', 'x"} or vector(1) #', '\\"}{'];

let prom: PrometheusFixture;
let window: { start: Date; end: Date };

beforeAll(async () => {
  prom = await startPrometheus({
    series: [
      ...defaultSeries(),
      // Stored values that would break out of an unescaped selector.
      ...NASTY.map((pod, n) => ({
        metric: 'nasty_labels',
        labels: { namespace: 'shop', pod },
        value: () => n + 1,
      })),
    ],
  });
  window = { start: prom.start, end: prom.now };
});

afterAll(async () => {
  await prom?.stop();
});

const instant = (query: string): PrometheusRequest => ({
  id: 'e1',
  title: 'instant',
  source: 'prometheus',
  kind: 'instant',
  query,
});

describe('Prometheus collector against a real Prometheus', () => {
  it('answers an instant query with labels and the value at the window end', async () => {
    const query = 'kube_pod_container_status_restarts_total{namespace="shop",pod="api-1"}';
    const item = await createPrometheusCollector(prom.url).collect(instant(query), window);
    expect(item).toMatchObject({
      id: 'e1',
      title: 'instant',
      source: 'prometheus',
      kind: 'instant',
      status: 'ok',
      query,
    });
    const data = item.data as InstantData;
    expect(data.resultType).toBe('vector');
    expect(data.series).toEqual([
      {
        labels: {
          __name__: 'kube_pod_container_status_restarts_total',
          namespace: 'shop',
          pod: 'api-1',
          container: 'api',
        },
        value: 18, // 361 samples, one restart per 20
      },
    ]);
    expect(item.truncated).toBeUndefined();
    expect(Date.parse(item.startedAt)).not.toBeNaN();
    expect(item.durationMs).toBeGreaterThanOrEqual(0);
  });

  it('reports a scalar result as one unlabelled series', async () => {
    const item = await createPrometheusCollector(prom.url).collect(
      instant('scalar(sum(kube_pod_container_status_restarts_total))'),
      window,
    );
    expect(item.status).toBe('ok');
    expect(item.data).toEqual({ resultType: 'scalar', series: [{ labels: {}, value: 18 }] });
  });

  it('treats NaN and Inf samples as missing (they cannot travel as JSON numbers)', async () => {
    const nan = await createPrometheusCollector(prom.url).collect(
      instant('kube_pod_container_status_restarts_total{pod="api-2"} / 0 * 0'),
      window,
    );
    expect(nan.status).toBe('empty');
    const range = await createPrometheusCollector(prom.url).collect(
      {
        id: 'r',
        title: 'r',
        source: 'prometheus',
        kind: 'range',
        query: '1 / kube_pod_container_status_restarts_total',
      },
      window,
    );
    // api-2 never restarted (1/0 = +Inf everywhere); api-1 is +Inf only until its first restart.
    const series = (range.data as RangeData).series;
    expect(series.map((s) => s.labels.pod)).toEqual(['api-1']);
    expect(series[0]!.points.every(([, v]) => Number.isFinite(v))).toBe(true);
  });

  it('keeps at most 20 series and says it cut them', async () => {
    const item = await createPrometheusCollector(prom.url).collect(instant('http_requests_total'), window);
    expect(item.status).toBe('ok');
    expect((item.data as InstantData).series).toHaveLength(MAX_SERIES);
    expect(item.truncated).toBe(true);
  });

  it('answers a range query with at most 120 points per series over the window', async () => {
    const query = 'kube_pod_container_status_restarts_total{pod="api-1"}';
    const item = await createPrometheusCollector(prom.url).collect(
      { id: 'r1', title: 'range', source: 'prometheus', kind: 'range', query },
      window,
    );
    expect(item.status).toBe('ok');
    expect(item.query).toBe(query);
    const [series] = (item.data as RangeData).series;
    expect(series!.labels.pod).toBe('api-1');
    expect(series!.points.length).toBeGreaterThan(100);
    expect(series!.points.length).toBeLessThanOrEqual(MAX_POINTS);
    // Points span the window and end at the newest restart count.
    expect(series!.points[0]![0]).toBeGreaterThanOrEqual(window.start.getTime() / 1000);
    expect(series!.points.at(-1)![1]).toBe(18);
  });

  it('downsamples a fine step evenly and marks the item truncated', async () => {
    const item = await createPrometheusCollector(prom.url).collect(
      {
        id: 'r2',
        title: 'range',
        source: 'prometheus',
        kind: 'range',
        query: 'container_memory_working_set_bytes',
        stepSeconds: 30,
      },
      window,
    );
    expect(item.status).toBe('ok');
    expect(item.truncated).toBe(true);
    const points = (item.data as RangeData).series[0]!.points;
    expect(points).toHaveLength(MAX_POINTS);
    // First and last sample survive; the gaps between kept points are even (3 or 4 samples).
    expect(points[0]![0]).toBeCloseTo(window.start.getTime() / 1000, 0);
    expect(points.at(-1)![0]).toBeCloseTo(window.end.getTime() / 1000, 0);
    const gaps = new Set(points.slice(1).map((p, i) => Math.round((p[0] - points[i]![0]) / 30)));
    expect([...gaps].every((g) => g === 3 || g === 4)).toBe(true);
  });

  it('lists series for matchers, bounded to 20', async () => {
    const one = await createPrometheusCollector(prom.url).collect(
      {
        id: 's1',
        title: 'series',
        source: 'prometheus',
        kind: 'series',
        match: ['kube_pod_container_status_restarts_total'],
      },
      window,
    );
    expect(one.status).toBe('ok');
    expect(one.query).toBe('match[]=kube_pod_container_status_restarts_total');
    expect((one.data as SeriesData).series.map((s) => s.pod).sort()).toEqual(['api-1', 'api-2']);

    const many = await createPrometheusCollector(prom.url).collect(
      {
        id: 's2',
        title: 'series',
        source: 'prometheus',
        kind: 'series',
        match: ['http_requests_total', 'nasty_labels'],
      },
      window,
    );
    expect((many.data as SeriesData).series).toHaveLength(MAX_SERIES);
    expect(many.truncated).toBe(true);
  });

  it('says empty (with no data) when nothing matches', async () => {
    const item = await createPrometheusCollector(prom.url).collect(
      instant('kube_pod_container_status_restarts_total{pod="gone"}'),
      window,
    );
    expect(item.status).toBe('empty');
    expect(item.data).toBeNull();
    expect(item.error).toBeUndefined();
  });

  it("reports a bad query as an error carrying Prometheus' own message", async () => {
    const item = await createPrometheusCollector(prom.url).collect(
      instant('rate(http_requests_total[5m]'),
      window,
    );
    expect(item.status).toBe('error');
    expect(item.error).toMatch(/^Prometheus rejected the query \(400\): bad_data: .*parse error/);
    expect(item.data).toBeNull();
  });

  it.each(NASTY)(
    'keeps the label value %j inside one literal (finds it exactly, injects nothing)',
    async (pod) => {
      const collector = createPrometheusCollector(prom.url);
      const found = await collector.collect(instant(`nasty_labels${selector({ pod })}`), window);
      expect(found.status).toBe('ok');
      expect((found.data as InstantData).series).toEqual([
        { labels: { __name__: 'nasty_labels', namespace: 'shop', pod }, value: NASTY.indexOf(pod) + 1 },
      ]);
      // The same value on a metric that does not carry it: empty, not a parse error, not vector(1).
      const missing = await collector.collect(
        instant(`kube_pod_container_status_restarts_total${selector({ pod })}`),
        window,
      );
      expect(missing.status).toBe('empty');
    },
  );
});

describe('Prometheus collector when Prometheus is not usable', () => {
  let server: Server | undefined;
  afterAll(() => server?.close());

  it('is unavailable without PROMETHEUS_URL', async () => {
    const item = await createPrometheusCollector(undefined).collect(instant('up'), {
      start: new Date(0),
      end: new Date(),
    });
    expect(item).toMatchObject({ status: 'unavailable', query: 'up', data: null });
    expect(item.error).toMatch(/PROMETHEUS_URL/);
  });

  it('is unavailable, naming the address, when nothing listens', async () => {
    const port = await freePort();
    const item = await createPrometheusCollector(`http://127.0.0.1:${port}`).collect(instant('up'), {
      start: new Date(Date.now() - 60_000),
      end: new Date(),
    });
    expect(item.status).toBe('unavailable');
    expect(item.error).toBe(
      `Prometheus at http://127.0.0.1:${port} unreachable: connect ECONNREFUSED 127.0.0.1:${port}`,
    );
  });

  it('is unavailable on a 5xx and on a timeout', async () => {
    let hang = false;
    server = createServer((req, res) => {
      if (hang) return; // never answers
      res.writeHead(503, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          status: 'error',
          errorType: 'timeout',
          error: 'query timed out in expression evaluation',
        }),
      );
    });
    await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    const w = { start: new Date(Date.now() - 60_000), end: new Date() };

    const overloaded = await createPrometheusCollector(url).collect(instant('up'), w);
    expect(overloaded.status).toBe('unavailable');
    expect(overloaded.error).toBe(
      `Prometheus at ${url} answered 503: timeout: query timed out in expression evaluation`,
    );

    hang = true;
    const started = Date.now();
    const slow = await createPrometheusCollector(url).collect(instant('up'), w, timeoutContext(200));
    expect(slow.status).toBe('unavailable');
    expect(slow.error).toBe(`Prometheus at ${url} did not answer within 200 ms`);
    expect(Date.now() - started).toBeLessThan(2_000);
    server.closeAllConnections();
  });
});

describe('downsample', () => {
  it('keeps short series as they are and long ones at the cap, ends included', () => {
    expect(downsample([1, 2, 3], 5)).toEqual([1, 2, 3]);
    const long = Array.from({ length: 1000 }, (_, i) => i);
    const kept = downsample(long);
    expect(kept).toHaveLength(MAX_POINTS);
    expect(kept[0]).toBe(0);
    expect(kept.at(-1)).toBe(999);
  });
});
