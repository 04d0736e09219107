import { createServer } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LogsData } from './evidence.js';
import { logqlSelector, logsqlQuery, quoteString } from './log-queries.js';
import { createLogsCollector, type LogsBackend, type LogsRequest } from './logs.js';
import {
  parseLogql,
  parseLogsql,
  readGoString,
  startFakeLoki,
  startFakeVictoriaLogs,
  type FakeLogs,
  type LogEntry,
} from '../testkit/fake-logs.js';
import { freePort } from '../testkit/processes.js';

const NASTY = [
  'a"b',
  'back\\slash',
  'two\nlines',
  'x"} or {namespace="other',
  '"}',
  'tab\tand\u0001ctl',
  'ünï"cødé',
];

const now = Date.now();
const window = { start: new Date(now - 3_600_000), end: new Date(now) };
const at = (msAgo: number) => new Date(now - msAgo);

function entries(): LogEntry[] {
  const out: LogEntry[] = [];
  // api-1: 300 lines, one every 10 s, newest a minute ago; one very long line among the newest.
  for (let i = 0; i < 300; i++) {
    const msg = i === 295 ? `stack: ${'y'.repeat(4_000)}` : `api-1 line ${i}`;
    out.push({
      time: at(60_000 + (299 - i) * 10_000),
      fields: { namespace: 'shop', pod: 'api-1', container: 'api' },
      msg,
    });
  }
  for (let i = 0; i < 5; i++)
    out.push({
      time: at(3 * 3_600_000 + i),
      fields: { namespace: 'shop', pod: 'api-1', container: 'api' },
      msg: `too old ${i}`,
    });
  for (let i = 0; i < 3; i++)
    out.push({
      time: at(120_000 + i),
      fields: { namespace: 'shop', pod: 'api-1', container: 'istio-proxy' },
      msg: `proxy ${i}`,
    });
  for (let i = 0; i < 4; i++)
    out.push({
      time: at(200_000 + i * 1000),
      fields: { namespace: 'other', pod: 'api-1', container: 'api' },
      msg: `other namespace ${i}`,
    });
  NASTY.forEach((pod, n) =>
    out.push({
      time: at(300_000 + n),
      fields: { namespace: 'shop', pod, container: 'api' },
      msg: `nasty ${n}`,
    }),
  );
  return out;
}

const request = (extra: Partial<LogsRequest> = {}): LogsRequest => ({
  id: 'g',
  title: 'logs',
  source: 'logs',
  kind: 'logs',
  namespace: 'shop',
  pod: 'api-1',
  container: 'api',
  limit: 20,
  ...extra,
});

describe('LogsQL and LogQL building', () => {
  it('builds exact-match filters and stream selectors', () => {
    expect(logsqlQuery({ namespace: 'shop', pod: 'api-1', container: 'api' })).toBe(
      'namespace:="shop" pod:="api-1" container:="api"',
    );
    expect(logqlSelector({ namespace: 'shop', pod: 'api-1', container: 'api' })).toBe(
      '{namespace="shop",pod="api-1",container="api"}',
    );
    expect(
      logsqlQuery({ namespace: 'shop' }, { namespace: 'kubernetes.pod_namespace', pod: 'x', container: 'y' }),
    ).toBe('kubernetes.pod_namespace:="shop"');
    expect(logsqlQuery({ namespace: 'shop' }, { namespace: 'k8s ns', pod: 'x', container: 'y' })).toBe(
      '"k8s ns":="shop"',
    );
    expect(() =>
      logqlSelector({ namespace: 'shop' }, { namespace: 'k8s.ns', pod: 'x', container: 'y' }),
    ).toThrow(/invalid Loki label name/);
  });

  it.each([
    ['a quote', 'a"b', '"a\\"b"'],
    ['a backslash', 'C:\\tmp', '"C:\\\\tmp"'],
    ['a newline', 'x\ny', '"x\\ny"'],
    ['an attempt to close the selector', 'x"}', '"x\\"}"'],
    ['a control character', 'a\u0001b', '"a\\x01b"'],
  ])('quotes a value with %s as one Go string literal', (_, value, expected) => {
    expect(quoteString(value)).toBe(expected);
  });

  it.each(NASTY)('round-trips %j through the Go string rules both servers use', (value) => {
    expect(readGoString(quoteString(value), 0)).toEqual({ value, end: quoteString(value).length });
    expect(parseLogsql(logsqlQuery({ namespace: 'shop', pod: value }))).toEqual({
      namespace: 'shop',
      pod: value,
    });
    expect(parseLogql(logqlSelector({ namespace: 'shop', pod: value }))).toEqual({
      namespace: 'shop',
      pod: value,
    });
  });
});

describe.each<[LogsBackend, (e: LogEntry[]) => Promise<FakeLogs>]>([
  ['victorialogs', startFakeVictoriaLogs],
  ['loki', startFakeLoki],
])('%s backend', (backend, start) => {
  let server: FakeLogs;
  beforeAll(async () => {
    server = await start(entries());
  });
  afterAll(async () => {
    await server?.close();
  });
  const collector = () => createLogsCollector({ url: server.url, backend });

  it('returns the newest lines of the window, oldest first, with time and stream', async () => {
    const item = await collector().collect(request({ limit: 3 }), window);
    expect(item.status).toBe('ok');
    expect(item.query).toBe(
      backend === 'loki'
        ? '{namespace="shop",pod="api-1",container="api"}'
        : 'namespace:="shop" pod:="api-1" container:="api"',
    );
    const data = item.data as LogsData;
    expect(data.backend).toBe(backend);
    expect(data.lines.map((l) => l.line)).toEqual(['api-1 line 297', 'api-1 line 298', 'api-1 line 299']);
    expect(data.lines[2]!.time).toBe(at(60_000).toISOString());
    expect(data.lines[0]!.stream).toBe('{container="api",namespace="shop",pod="api-1"}');
    expect(item.truncated).toBeUndefined();
  });

  it('keeps at most 200 lines of at most 2,000 characters', async () => {
    const item = await collector().collect(request({ limit: 1_000 }), window);
    const lines = (item.data as LogsData).lines;
    expect(lines).toHaveLength(200);
    expect(lines.at(-1)!.line).toBe('api-1 line 299');
    expect(lines.find((l) => l.line.startsWith('stack:'))!.line).toHaveLength(2_000);
    expect(lines.some((l) => l.line.startsWith('too old'))).toBe(false);
    expect(item.truncated).toBe(true);
  });

  it('selects a whole namespace when no pod is given, and only that namespace', async () => {
    const item = await collector().collect(
      request({ pod: undefined, container: undefined, limit: 200 }),
      window,
    );
    const lines = (item.data as LogsData).lines.map((l) => l.line);
    expect(lines).toContain('proxy 0');
    expect(lines).toContain('nasty 0');
    expect(lines.some((l) => l.startsWith('other namespace'))).toBe(false);
  });

  it.each(NASTY)('escapes the pod name %j: its own line comes back, nothing else', async (pod) => {
    const item = await collector().collect(request({ pod, limit: 50 }), window);
    expect(item.status).toBe('ok');
    expect((item.data as LogsData).lines.map((l) => l.line)).toEqual([`nasty ${NASTY.indexOf(pod)}`]);
  });

  it('says empty when nothing matches', async () => {
    const item = await collector().collect(request({ pod: 'api-9"}' }), window);
    expect(item).toMatchObject({ status: 'empty', data: null });
  });

  it('finds the backend itself when LOGS_BACKEND is auto, and remembers it', async () => {
    const auto = createLogsCollector({ url: server.url, backend: 'auto' });
    server.requests.length = 0;
    const first = await auto.collect(request({ limit: 1 }), window);
    const second = await auto.collect(request({ limit: 1 }), window);
    expect((first.data as LogsData).backend).toBe(backend);
    expect((second.data as LogsData).backend).toBe(backend);
    const probes = server.requests.filter(
      (r) => r.path === '/loki/api/v1/labels' || r.params.get('query') === '_time:5m | limit 1',
    );
    expect(probes).toHaveLength(backend === 'loki' ? 2 : 1);
  });
});

describe('logs backend failures', () => {
  it('is unavailable without LOGS_URL', async () => {
    const item = await createLogsCollector({}).collect(request(), window);
    expect(item.status).toBe('unavailable');
    expect(item.error).toMatch(/LOGS_URL/);
  });

  it('is unavailable, naming the address, when nothing listens', async () => {
    const port = await freePort();
    const item = await createLogsCollector({ url: `http://127.0.0.1:${port}`, backend: 'loki' }).collect(
      request(),
      window,
    );
    expect(item.status).toBe('unavailable');
    expect(item.error).toBe(
      `Loki at http://127.0.0.1:${port} unreachable: connect ECONNREFUSED 127.0.0.1:${port}`,
    );
    const auto = await createLogsCollector({ url: `http://127.0.0.1:${port}` }).collect(request(), window);
    expect(auto.status).toBe('unavailable');
  });

  it("reports a rejected query with the backend's message, and a URL that is neither backend", async () => {
    const server = createServer((req, res) => {
      res.writeHead(req.url?.startsWith('/select/logsql/query') ? 400 : 404, {
        'content-type': 'text/plain',
      });
      res.end('cannot parse query: unexpected token');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    try {
      const rejected = await createLogsCollector({ url, backend: 'victorialogs' }).collect(request(), window);
      expect(rejected).toMatchObject({
        status: 'error',
        error: 'VictoriaLogs rejected the query (400): cannot parse query: unexpected token',
      });
      const unknown = await createLogsCollector({ url }).collect(request(), window);
      expect(unknown.status).toBe('error');
      expect(unknown.error).toMatch(/is neither VictoriaLogs nor Loki/);
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });
});
