import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server, type ServerResponse } from 'node:http';
import { loadConfig } from '../shared/config.js';
import { createToolkit } from '../investigation/toolkit.js';
import { httpSource, urlUnder } from './http.js';
import { createLogsCollector } from './logs.js';

// Response bodies are read as a stream and cut at COLLECTOR_MAX_RESPONSE_BYTES: a backend that
// answers with an endless or huge body makes one item `error`, quickly, without buffering it.

const CAP = 64 * 1024;
const chunk = Buffer.alloc(16 * 1024, 'x');

describe('capped responses from a real HTTP server', () => {
  let server: Server;
  let base: string;
  const sent = { bytes: 0, closed: 0 };

  /** Writes until the client goes away, honouring back-pressure. */
  function endless(res: ServerResponse) {
    res.writeHead(200, { 'content-type': 'application/json' });
    const pump = () => {
      while (!res.destroyed && res.write(chunk)) sent.bytes += chunk.length;
    };
    res.on('drain', pump);
    res.on('close', () => sent.closed++);
    pump();
  }

  beforeAll(async () => {
    server = createServer((req, res) => {
      if (req.url?.startsWith('/tenant/')) {
        // A multi-tenant Loki: 401 "no org id" without X-Scope-OrgID.
        if (!req.headers['x-scope-orgid']) {
          res.writeHead(401, { 'content-type': 'text/plain' }).end('no org id\n');
          return;
        }
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ status: 'success', data: { resultType: 'streams', result: [] } }));
        return;
      }
      if (req.url?.startsWith('/moved/')) {
        res.writeHead(301, { location: 'https://elsewhere.example/prom/?api_key=k' }).end();
        return;
      }
      if (req.url?.startsWith('/declared/')) {
        // Says up front that the answer is 1 GB, then sends a little.
        res.writeHead(200, { 'content-length': String(1024 ** 3) });
        res.write(chunk);
        res.on('close', () => sent.closed++);
        return;
      }
      endless(res);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  const window = { start: new Date(Date.now() - 3600_000), end: new Date() };
  const query = { id: 'q', title: 'up', source: 'prometheus', kind: 'instant', query: 'up' } as const;

  it('an endless body becomes an error at COLLECTOR_MAX_RESPONSE_BYTES, and the download stops', async () => {
    sent.bytes = 0;
    const closedBefore = sent.closed;
    const config = loadConfig({ PROMETHEUS_URL: base, COLLECTOR_MAX_RESPONSE_BYTES: String(CAP) });
    const t0 = Date.now();
    const item = await createToolkit(config, { kube: null }).collect(query, window);
    expect(item.status).toBe('error');
    expect(item.error).toBe(
      `Prometheus at ${base} sent an answer, more than the ${CAP} bytes allowed (COLLECTOR_MAX_RESPONSE_BYTES); ask for less, e.g. a narrower query`,
    );
    expect(Date.now() - t0).toBeLessThan(config.COLLECTOR_TIMEOUT_SECONDS * 1000);
    // The server sees the connection closed: nothing keeps downloading after the cut.
    await expect.poll(() => sent.closed).toBeGreaterThan(closedBefore);
    expect(sent.bytes).toBeLessThan(16 * 1024 * 1024);
  });

  it('a declared Content-Length over the cap is refused before reading', async () => {
    const logs = createLogsCollector({
      url: httpSource(`${base}/declared`, { maxResponseBytes: CAP }),
      backend: 'loki',
    });
    const item = await logs.collect(
      { id: 'l', title: 'logs', source: 'logs', kind: 'logs', namespace: 'shop', limit: 10 },
      window,
    );
    expect(item.status).toBe('error');
    expect(item.error).toContain(`sent a ${1024 ** 3}-byte answer, more than the ${CAP} bytes allowed`);
  });

  it('a redirect is not followed (credentials stay with the configured server) and says where to', async () => {
    const config = loadConfig({ PROMETHEUS_URL: `${base}/moved`, PROMETHEUS_BEARER_TOKEN: 'tok' });
    const item = await createToolkit(config, { kube: null }).collect(query, window);
    expect(item.status).toBe('error');
    expect(item.error).toBe(
      `Prometheus at ${base}/moved answered 301, redirecting to https://elsewhere.example/prom?api_key=hidden; configure the URL it redirects to`,
    );
  });

  it('a refused request names the settings to check; LOGS_HEADERS carries the tenant', async () => {
    const request = {
      id: 'l',
      title: 'logs',
      source: 'logs',
      kind: 'logs',
      namespace: 'shop',
      limit: 10,
    } as const;
    const env = { LOGS_URL: `${base}/tenant`, LOGS_BACKEND: 'loki' };
    const refused = await createToolkit(loadConfig(env), { kube: null }).collect(request, window);
    expect(refused.status).toBe('error');
    expect(refused.error).toBe(
      `Loki at ${base}/tenant refused the request (401: no org id); check LOGS_BEARER_TOKEN, LOGS_BASIC_USER/LOGS_BASIC_PASSWORD or user:pass@ in LOGS_URL, and LOGS_HEADERS (e.g. X-Scope-OrgID)`,
    );
    const withTenant = loadConfig({ ...env, LOGS_HEADERS: '{"X-Scope-OrgID":"shop"}' });
    expect((await createToolkit(withTenant, { kube: null }).collect(request, window)).status).toBe('empty');
  });

  it('the default cap is 8 MiB', () => {
    expect(loadConfig({}).COLLECTOR_MAX_RESPONSE_BYTES).toBe(8 * 1024 * 1024);
  });
});

describe('urlUnder', () => {
  it('keeps the base path prefix and its query (an API key) under every request', () => {
    expect(urlUnder('http://h/prom?api_key=k', '/api/v1/query').toString()).toBe(
      'http://h/prom/api/v1/query?api_key=k',
    );
    expect(urlUnder('http://h/', 'x', new URLSearchParams({ a: '1' })).toString()).toBe('http://h/x?a=1');
  });
});

describe('httpSource', () => {
  it('turns userinfo into basic auth and keeps it out of url and shown', () => {
    const s = httpSource('https://u:p%40ss@h:9090/prom/?token=t');
    expect(s.url).toBe('https://h:9090/prom/?token=t');
    expect(s.shown).toBe('https://h:9090/prom?token=hidden');
    expect(s.headers.authorization).toBe(`Basic ${Buffer.from('u:p@ss').toString('base64')}`);
  });

  it('prefers an explicit bearer token or basic user over userinfo', () => {
    expect(httpSource('http://u:p@h', { bearerToken: 'tok' }).headers.authorization).toBe('Bearer tok');
    expect(httpSource('http://u:p@h', { basicUser: 'a', basicPassword: 'b' }).headers.authorization).toBe(
      `Basic ${Buffer.from('a:b').toString('base64')}`,
    );
  });
});
