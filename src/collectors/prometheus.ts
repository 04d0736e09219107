import type { EvidenceItem, EvidenceRequest, InstantData, RangeData, SeriesData } from './evidence.js';
import { asSource, excerpt, httpText, parseJson, urlUnder, type HttpSource } from './http.js';
import { timeoutContext, toItem, type CollectContext, type Outcome, type TimeWindow } from './item.js';

// Prometheus HTTP API client (/api/v1/query, /api/v1/query_range, /api/v1/series). Results are
// bounded so a careless query cannot flood an investigation: at most MAX_SERIES series and
// MAX_POINTS points per series, with `truncated` set when anything was cut.

export const MAX_SERIES = 20;
export const MAX_POINTS = 120;

export type PrometheusRequest = Extract<EvidenceRequest, { source: 'prometheus' }>;
export type PrometheusData = InstantData | RangeData | SeriesData;

export interface PrometheusCollector {
  collect(
    request: PrometheusRequest,
    window: TimeWindow,
    ctx?: CollectContext,
  ): Promise<EvidenceItem<PrometheusData>>;
}

/** `configured` undefined means PROMETHEUS_URL is not configured: every item is `unavailable`. */
export function createPrometheusCollector(configured: string | HttpSource | undefined): PrometheusCollector {
  const source = configured === undefined ? undefined : asSource(configured);
  return {
    async collect(request, window, ctx = timeoutContext()) {
      const startedAt = new Date();
      const query = queryText(request);
      if (!source) {
        return toItem(request, startedAt, {
          status: 'unavailable',
          query,
          error: 'Prometheus not configured (set PROMETHEUS_URL)',
        });
      }
      const outcome = await run(source, request, window, ctx);
      return toItem<PrometheusData>(request, startedAt, outcome);
    },
  };
}

function queryText(request: PrometheusRequest): string {
  return request.kind === 'series' ? request.match.map((m) => `match[]=${m}`).join('&') : request.query;
}

/** Step (seconds) so a range query over the window yields at most MAX_POINTS points. */
export function autoStepSeconds(window: TimeWindow): number {
  const seconds = Math.max(0, (window.end.getTime() - window.start.getTime()) / 1000);
  // n points span (n - 1) steps.
  return Math.max(1, Math.ceil(seconds / (MAX_POINTS - 1)));
}

const unixSeconds = (d: Date) => (d.getTime() / 1000).toFixed(3);

/**
 * Prometheus evaluates at start, start+step, …; shifting start by less than one step makes the
 * last point fall on the window end (the moment that matters most) without adding points.
 */
export function alignedStart(window: TimeWindow, stepSeconds: number): Date {
  const stepMs = stepSeconds * 1000;
  const spanMs = Math.max(0, window.end.getTime() - window.start.getTime());
  return new Date(window.end.getTime() - Math.floor(spanMs / stepMs) * stepMs);
}

async function run(
  source: HttpSource,
  request: PrometheusRequest,
  window: TimeWindow,
  ctx: CollectContext,
): Promise<Outcome<PrometheusData>> {
  const query = queryText(request);
  const params = new URLSearchParams();
  let path: string;
  switch (request.kind) {
    case 'instant':
      path = '/api/v1/query';
      params.set('query', request.query);
      params.set('time', unixSeconds(window.end));
      break;
    case 'range': {
      path = '/api/v1/query_range';
      params.set('query', request.query);
      const step = request.stepSeconds ?? autoStepSeconds(window);
      params.set('start', unixSeconds(alignedStart(window, step)));
      params.set('end', unixSeconds(window.end));
      params.set('step', String(step));
      break;
    }
    case 'series':
      path = '/api/v1/series';
      for (const m of request.match) params.append('match[]', m);
      params.set('start', unixSeconds(window.start));
      params.set('end', unixSeconds(window.end));
      break;
  }
  // POST keeps long PromQL out of URL length limits; Prometheus accepts form bodies on all three.
  const res = await httpText(
    'Prometheus',
    source,
    urlUnder(source.url, path),
    { method: 'POST', form: params },
    ctx,
  );
  if (!res.ok) return { status: res.status, query, error: res.error };

  const body = parseJson(res.text) as PromResponse | undefined;
  if (res.status >= 200 && res.status < 300 && body?.status === 'success') {
    try {
      switch (request.kind) {
        case 'instant':
          return instantOutcome(query, body.data as PromQueryData);
        case 'range':
          return rangeOutcome(query, body.data as PromQueryData);
        case 'series':
          return seriesOutcome(query, body.data as Record<string, string>[]);
      }
    } catch (err) {
      return { status: 'error', query, error: `Prometheus answered in an unexpected shape: ${String(err)}` };
    }
  }
  const reason = body?.error
    ? `${body.errorType ?? 'error'}: ${body.error}`
    : excerpt(res.text) || `HTTP ${res.status}`;
  if (res.status >= 500) {
    // 503 is also how Prometheus reports query timeouts and overload: the source is not usable now.
    return {
      status: 'unavailable',
      query,
      error: `Prometheus at ${source.shown} answered ${res.status}: ${reason}`,
    };
  }
  return { status: 'error', query, error: `Prometheus rejected the query (${res.status}): ${reason}` };
}

interface PromResponse {
  status: 'success' | 'error';
  data?: unknown;
  errorType?: string;
  error?: string;
}

type Sample = [number, string];
interface PromQueryData {
  resultType: 'vector' | 'scalar' | 'matrix' | 'string';
  result: unknown;
}

/** Prometheus encodes sample values as strings, including NaN and ±Inf. */
export function sampleValue(v: string): number {
  if (v === '+Inf' || v === 'Inf') return Infinity;
  if (v === '-Inf') return -Infinity;
  return Number(v);
}

function instantOutcome(query: string, data: PromQueryData): Outcome<InstantData> {
  let series: InstantData['series'];
  let resultType: InstantData['resultType'] = 'vector';
  switch (data.resultType) {
    case 'vector':
      series = (data.result as { metric: Record<string, string>; value: Sample }[]).map((r) => ({
        labels: r.metric,
        value: sampleValue(r.value[1]),
      }));
      break;
    case 'scalar':
      resultType = 'scalar';
      series = [{ labels: {}, value: sampleValue((data.result as Sample)[1]) }];
      break;
    case 'matrix':
      // An instant query of a range selector (foo[5m]); the latest sample stands for each series.
      series = (data.result as { metric: Record<string, string>; values: Sample[] }[])
        .filter((r) => r.values.length > 0)
        .map((r) => ({ labels: r.metric, value: sampleValue(r.values[r.values.length - 1]![1]) }));
      break;
    default:
      return {
        status: 'error',
        query,
        error: `unsupported result type ${data.resultType}; expected a vector or scalar`,
      };
  }
  // NaN and ±Inf (0/0 ratios without traffic, quantiles beyond the last bucket) do not survive
  // JSON, where evidence is stored; they count as no sample.
  series = series.filter((s) => Number.isFinite(s.value));
  if (series.length === 0) return { status: 'empty', query };
  // Kept in Prometheus' order; a planner that needs the worst offenders asks with topk().
  const truncated = series.length > MAX_SERIES;
  return { status: 'ok', query, data: { resultType, series: series.slice(0, MAX_SERIES) }, truncated };
}

/** Keeps `max` points spread evenly over the series, always including the first and the last. */
export function downsample<T>(points: T[], max = MAX_POINTS): T[] {
  if (points.length <= max) return points;
  if (max <= 1) return points.slice(-1);
  const out: T[] = [];
  for (let i = 0; i < max; i++) out.push(points[Math.round((i * (points.length - 1)) / (max - 1))]!);
  return out;
}

function rangeOutcome(query: string, data: PromQueryData): Outcome<RangeData> {
  if (data.resultType !== 'matrix') {
    return { status: 'error', query, error: `unexpected result type ${data.resultType} for a range query` };
  }
  // Non-finite samples are gaps, as for instant queries.
  const result = (data.result as { metric: Record<string, string>; values: Sample[] }[])
    .map((r) => ({
      labels: r.metric,
      points: r.values
        .map(([t, v]): [number, number] => [t, sampleValue(v)])
        .filter((p) => Number.isFinite(p[1])),
    }))
    .filter((r) => r.points.length > 0);
  if (result.length === 0) return { status: 'empty', query };
  let truncated = result.length > MAX_SERIES;
  const series = result.slice(0, MAX_SERIES).map((r) => {
    if (r.points.length > MAX_POINTS) truncated = true;
    return { labels: r.labels, points: downsample(r.points) };
  });
  return { status: 'ok', query, data: { series }, truncated };
}

function seriesOutcome(query: string, data: Record<string, string>[]): Outcome<SeriesData> {
  if (!Array.isArray(data)) throw new Error('series data is not a list');
  if (data.length === 0) return { status: 'empty', query };
  return {
    status: 'ok',
    query,
    data: { series: data.slice(0, MAX_SERIES) },
    truncated: data.length > MAX_SERIES,
  };
}
