import type { EvidenceItem, EvidenceRequest, LogsData } from './evidence.js';
import { asSource, excerpt, httpText, parseJson, urlUnder, type HttpSource } from './http.js';
import {
  capText,
  MAX_LINE_CHARS,
  MAX_LOG_LINES,
  timeoutContext,
  toItem,
  type CollectContext,
  type Outcome,
  type TimeWindow,
} from './item.js';
import {
  DEFAULT_LOG_FIELDS,
  logqlSelector,
  logsqlQuery,
  quoteString,
  type LogFieldNames,
  type StreamSelector,
} from './log-queries.js';

// Logs of a namespace/pod/container from VictoriaLogs (LogsQL) or Loki (LogQL): the newest lines
// of the window, returned oldest first so they read like a log.

export type LogsBackend = 'victorialogs' | 'loki';
export type LogsBackendOption = LogsBackend | 'auto';
export type LogsRequest = Extract<EvidenceRequest, { source: 'logs' }>;

export interface LogsOptions {
  /** LOGS_URL, or the source configured from it and its LOGS_* settings. */
  url?: string | HttpSource;
  backend?: LogsBackendOption;
  fields?: LogFieldNames;
}

export interface LogsCollector {
  collect(request: LogsRequest, window: TimeWindow, ctx?: CollectContext): Promise<EvidenceItem<LogsData>>;
  /** The backend behind LOGS_URL, probing it once when `auto`. */
  backend(ctx?: CollectContext): Promise<Detection>;
}

type Detection =
  { ok: true; backend: LogsBackend } | { ok: false; status: 'unavailable' | 'error'; error: string };

type Line = LogsData['lines'][number] & { sortKey: bigint };

export function createLogsCollector(options: LogsOptions): LogsCollector {
  const { fields = DEFAULT_LOG_FIELDS } = options;
  const url = options.url === undefined ? undefined : asSource(options.url);
  const configured = options.backend ?? 'auto';
  // Only a successful detection is cached: a backend that was down should be probed again.
  let detection: Promise<Detection> | undefined;

  async function backend(ctx: CollectContext = timeoutContext()): Promise<Detection> {
    if (!url)
      return { ok: false, status: 'unavailable', error: 'Logs backend not configured (set LOGS_URL)' };
    if (configured !== 'auto') return { ok: true, backend: configured };
    detection ??= detect(url, ctx).then((d) => {
      if (!d.ok) detection = undefined;
      return d;
    });
    return detection;
  }

  return {
    backend,
    async collect(request, window, ctx = timeoutContext()) {
      const startedAt = new Date();
      const sel: StreamSelector = { namespace: request.namespace };
      if (request.pod !== undefined) sel.pod = request.pod;
      if (request.container !== undefined) sel.container = request.container;
      let outcome: Outcome<LogsData>;
      try {
        const found = await backend(ctx);
        if (!found.ok) {
          const query = `LogsQL ${logsqlQuery(sel, fields)}; LogQL ${logqlSelector(sel, fields)}`;
          outcome = { status: found.status, query, error: found.error };
        } else {
          const limit = Math.max(1, Math.min(Math.floor(request.limit), MAX_LOG_LINES));
          outcome =
            found.backend === 'victorialogs'
              ? await victoriaLogs(url!, logsqlQuery(sel, fields), limit, window, ctx)
              : await loki(url!, logqlSelector(sel, fields), limit, window, ctx);
          if (
            outcome.status === 'ok' &&
            request.limit > MAX_LOG_LINES &&
            outcome.data?.lines.length === limit
          ) {
            outcome.truncated = true;
          }
        }
      } catch (err) {
        // E.g. a configured field name Loki cannot use as a label.
        const parts = Object.entries(sel).map(([k, v]) => `${k}=${JSON.stringify(v)}`);
        outcome = {
          status: 'error',
          query: parts.join(' '),
          error: err instanceof Error ? err.message : String(err),
        };
      }
      return toItem(request, startedAt, outcome);
    },
  };
}

/** VictoriaLogs first (a cheap query it alone understands), then Loki's labels endpoint. */
async function detect(url: HttpSource, ctx: CollectContext): Promise<Detection> {
  const probe = new URLSearchParams({ query: '_time:5m | limit 1' });
  const vl = await httpText(
    'Logs backend',
    url,
    urlUnder(url.url, '/select/logsql/query'),
    { method: 'POST', form: probe },
    ctx,
  );
  if (!vl.ok) return { ok: false, status: vl.status, error: vl.error };
  if (vl.status === 200) return { ok: true, backend: 'victorialogs' };
  const lk = await httpText('Logs backend', url, urlUnder(url.url, '/loki/api/v1/labels'), {}, ctx);
  if (!lk.ok) return { ok: false, status: lk.status, error: lk.error };
  if (lk.status === 200 && (parseJson(lk.text) as { status?: string } | undefined)?.status === 'success') {
    return { ok: true, backend: 'loki' };
  }
  if (vl.status >= 500 || lk.status >= 500) {
    return {
      ok: false,
      status: 'unavailable',
      error: `Logs backend at ${url.shown} answered ${vl.status} to a VictoriaLogs probe and ${lk.status} to a Loki probe`,
    };
  }
  return {
    ok: false,
    status: 'error',
    error: `LOGS_URL ${url.shown} is neither VictoriaLogs nor Loki (VictoriaLogs probe: ${vl.status}, Loki probe: ${lk.status}); set LOGS_BACKEND`,
  };
}

function httpFailure(
  service: string,
  url: HttpSource,
  status: number,
  text: string,
  query: string,
): Outcome<LogsData> {
  const body = parseJson(text) as { error?: string; message?: string } | undefined;
  const reason = body?.error ?? body?.message ?? (excerpt(text) || `HTTP ${status}`);
  if (status >= 500)
    return {
      status: 'unavailable',
      query,
      error: `${service} at ${url.shown} answered ${status}: ${reason}`,
    };
  return { status: 'error', query, error: `${service} rejected the query (${status}): ${reason}` };
}

/** Newest `limit` lines, then oldest first; long lines cut to MAX_LINE_CHARS. */
function finish(backend: LogsBackend, query: string, lines: Line[], limit: number): Outcome<LogsData> {
  lines.sort((a, b) => (a.sortKey < b.sortKey ? 1 : a.sortKey > b.sortKey ? -1 : 0));
  const kept = lines.slice(0, limit).reverse();
  if (kept.length === 0) return { status: 'empty', query };
  let truncated = lines.length > limit;
  const out = kept.map(({ sortKey: _k, ...rest }) => {
    const capped = capText(rest.line, MAX_LINE_CHARS);
    if (capped.cut) truncated = true;
    return { ...rest, line: capped.text };
  });
  return { status: 'ok', query, data: { backend, lines: out }, truncated };
}

const nsOf = (d: Date) => BigInt(d.getTime()) * 1_000_000n;

function nsFromIso(iso: string): bigint {
  const m = /^(.*?)(?:\.(\d+))?(Z|[+-]\d\d:\d\d)$/.exec(iso);
  const ms = Date.parse(m ? `${m[1]}${m[3]}` : iso);
  if (Number.isNaN(ms)) return 0n;
  const frac = (m?.[2] ?? '').padEnd(9, '0').slice(0, 9);
  return BigInt(ms) * 1_000_000n + BigInt(frac);
}

async function victoriaLogs(
  url: HttpSource,
  query: string,
  limit: number,
  window: TimeWindow,
  ctx: CollectContext,
): Promise<Outcome<LogsData>> {
  // limit=N makes VictoriaLogs return the N most recent matching entries of [start, end].
  const form = new URLSearchParams({
    query,
    limit: String(limit),
    start: window.start.toISOString(),
    end: window.end.toISOString(),
  });
  const res = await httpText(
    'VictoriaLogs',
    url,
    urlUnder(url.url, '/select/logsql/query'),
    { method: 'POST', form },
    ctx,
  );
  if (!res.ok) return { status: res.status, query, error: res.error };
  if (res.status !== 200) return httpFailure('VictoriaLogs', url, res.status, res.text, query);
  const lines: Line[] = [];
  for (const raw of res.text.split('\n')) {
    if (!raw.trim()) continue;
    const entry = parseJson(raw) as { _msg?: unknown; _time?: unknown; _stream?: unknown } | undefined;
    if (!entry || typeof entry !== 'object') continue;
    const time = typeof entry._time === 'string' ? entry._time : undefined;
    const line: Line = {
      line: typeof entry._msg === 'string' ? entry._msg : JSON.stringify(entry),
      sortKey: time ? nsFromIso(time) : 0n,
    };
    if (time) line.time = time;
    if (typeof entry._stream === 'string') line.stream = entry._stream;
    lines.push(line);
  }
  return finish('victorialogs', query, lines, limit);
}

function streamText(labels: Record<string, string>): string {
  const keys = Object.keys(labels).sort();
  return `{${keys.map((k) => `${k}=${quoteString(labels[k]!)}`).join(',')}}`;
}

async function loki(
  url: HttpSource,
  query: string,
  limit: number,
  window: TimeWindow,
  ctx: CollectContext,
): Promise<Outcome<LogsData>> {
  const params = new URLSearchParams({
    query,
    limit: String(limit),
    start: String(nsOf(window.start)),
    // Loki's end is exclusive; one nanosecond more keeps a line logged exactly at the window end.
    end: String(nsOf(window.end) + 1n),
    direction: 'backward',
  });
  const res = await httpText('Loki', url, urlUnder(url.url, '/loki/api/v1/query_range', params), {}, ctx);
  if (!res.ok) return { status: res.status, query, error: res.error };
  if (res.status !== 200) return httpFailure('Loki', url, res.status, res.text, query);
  const body = parseJson(res.text) as
    | {
        status?: string;
        data?: {
          resultType?: string;
          result?: { stream?: Record<string, string>; values?: [string, string][] }[];
        };
      }
    | undefined;
  if (body?.status !== 'success' || body.data?.resultType !== 'streams' || !Array.isArray(body.data.result)) {
    return { status: 'error', query, error: `Loki answered in an unexpected shape: ${excerpt(res.text)}` };
  }
  const lines: Line[] = [];
  for (const s of body.data.result) {
    const stream = streamText(s.stream ?? {});
    for (const [ns, text] of s.values ?? []) {
      let sortKey = 0n;
      try {
        sortKey = BigInt(ns);
      } catch {
        /* a malformed timestamp sorts oldest */
      }
      lines.push({ time: new Date(Number(sortKey / 1_000_000n)).toISOString(), stream, line: text, sortKey });
    }
  }
  return finish('loki', query, lines, limit);
}
