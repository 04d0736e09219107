import { randomBytes } from 'node:crypto';
import { request } from 'node:http';
import type { Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildApp, type Routes } from '../src/http/app.js';
import { inlineScriptHashes } from '../src/http/static.js';
import type { ProjectorRunner } from '../src/projections/engine/runner.js';
import { startProjectors } from '../src/runtime/projectors.js';
import type { Config } from '../src/shared/config.js';
import { waitFor } from '../src/events/event-store.contract.js';
import { labelsFingerprint } from '../src/ingest/alertmanager-payload.js';
import { alertPayload } from './console/fixtures.js';
import { ensureConsoleBuilt } from './console/harness.js';
import { testContext } from './support/context.js';

// What a browser on another site (or a rebinding DNS name) can do to a running Tarka, over real
// HTTP and websocket connections: each check here let the request through before.

type Ctx = Awaited<ReturnType<typeof testContext>>;

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** A raw HTTP request, so the test controls Host, Origin and Sec-Fetch-* as any client can. */
function raw(
  url: string,
  opts: { method?: string; path: string; headers?: Record<string, string>; body?: string },
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(`${url}${opts.path}`, { method: opts.method ?? 'GET', headers: opts.headers });
    req.on('response', (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end(opts.body);
  });
}

/** A websocket handshake on /api/live: 101 and the open socket, or the HTTP status it got instead. */
function upgrade(
  url: string,
  headers: Record<string, string> = {},
  query = '',
): Promise<{ status: number; socket?: Socket; head?: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = request(`${url}/api/live${query}`, {
      headers: {
        connection: 'Upgrade',
        upgrade: 'websocket',
        'sec-websocket-version': '13',
        'sec-websocket-key': randomBytes(16).toString('base64'),
        ...headers,
      },
    });
    req.on('upgrade', (_res, socket, head) => resolve({ status: 101, socket, head }));
    req.on('response', (res) => {
      res.resume();
      resolve({ status: res.statusCode! });
    });
    req.on('error', reject);
    req.end();
  });
}

const code = (a: Answer) => (JSON.parse(a.body) as { code: string }).code;

describe('browser-side security', () => {
  let ctx: Ctx;
  let runners: ProjectorRunner[];
  const apps: FastifyInstance[] = [];
  const labels = { alertname: 'KubePodCrashLooping', pod: 'browser-security-1' };
  const caseId = labelsFingerprint(labels);

  /** The app as `tarka serve` builds it from this config, listening on loopback. */
  async function serve(over: Partial<Config> = {}, routes?: Routes) {
    const config = { ...ctx.config, ...over };
    const app = buildApp({ ...ctx, config }, routes ?? config.SERVE_ROUTES);
    apps.push(app);
    await app.listen({ host: '127.0.0.1', port: 0 });
    const { port } = app.server.address() as { port: number };
    return { url: `http://127.0.0.1:${port}`, port, app };
  }
  const caught = async () => runners[0]!.waitFor(await ctx.store.headSeq());
  const eventTypes = async () => (await ctx.store.readAggregate(`case.${caseId}`)).events.map((e) => e.type);

  beforeAll(async () => {
    ensureConsoleBuilt();
    ctx = await testContext({ HOST: '127.0.0.1' });
    runners = startProjectors(ctx);
    const { url } = await serve();
    const res = await fetch(`${url}/alerts`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(alertPayload([{ fingerprint: caseId, labels }])),
    });
    expect(res.status).toBe(202);
    await caught();
  }, 60_000);
  afterAll(async () => {
    for (const app of apps) await app.close();
    await Promise.all((runners ?? []).map((r) => r.stop()));
    await ctx?.dispose();
  });

  it('refuses cross-site and non-JSON state changes, and keeps same-origin console requests working', async () => {
    const { url, port } = await serve();
    const before = await eventTypes();
    const act = (headers: Record<string, string>, body?: string) =>
      raw(url, { method: 'POST', path: `/api/cases/${caseId}/reopen`, headers, body });

    // A page on another site posting with no body (fetch no-cors): 202 before.
    const foreign = await act({ origin: 'http://evil.example' });
    expect(foreign.status).toBe(403);
    expect(code(foreign)).toBe('TARKA_CROSS_ORIGIN');
    // Even when the attacker manages a JSON content type.
    const foreignJson = await act(
      { origin: 'http://evil.example', 'content-type': 'application/json' },
      '{}',
    );
    expect(foreignJson.status).toBe(403);
    // A browser that sends Sec-Fetch-Site without Origin.
    expect(
      (await act({ 'sec-fetch-site': 'cross-site', 'content-type': 'application/json' }, '{}')).status,
    ).toBe(403);
    // Another port on the same machine is another origin.
    expect(
      (await act({ origin: 'http://127.0.0.1:1', 'content-type': 'application/json' }, '{}')).status,
    ).toBe(403);
    // A form's text/plain or no content type at all.
    const plain = await act({ 'content-type': 'text/plain' }, '{"note":"x"}');
    expect(plain.status).toBe(415);
    expect(code(plain)).toBe('TARKA_UNSUPPORTED_MEDIA_TYPE');
    expect((await act({})).status).toBe(415);
    expect(await eventTypes()).toEqual(before);

    // The console's own request (console/src/lib/api.ts: same origin, JSON) still acts.
    const ok = await act(
      {
        origin: `http://127.0.0.1:${port}`,
        'sec-fetch-site': 'same-origin',
        'content-type': 'application/json',
        'idempotency-key': 'browser-sec-1234',
      },
      JSON.stringify({ note: 'same origin' }),
    );
    expect(ok.status, ok.body).toBeLessThan(300);
    // curl and scripts send no Origin: JSON is enough.
    const script = await act({ 'content-type': 'application/json; charset=utf-8' }, '{}');
    expect(script.status, script.body).toBeLessThan(300);
  });

  it('accepts the Origin of AUTH_PUBLIC_BASE_URL behind a proxy that rewrites Host', async () => {
    const { url } = await serve({ AUTH_PUBLIC_BASE_URL: 'https://tarka.example.com' });
    const res = await raw(url, {
      method: 'POST',
      path: `/api/cases/${caseId}/snooze`,
      headers: {
        host: 'tarka.example.com',
        origin: 'https://tarka.example.com',
        'content-type': 'application/json',
      },
      body: JSON.stringify({ duration: '1h' }),
    });
    expect(res.status, res.body).toBeLessThan(300);
    expect(res.headers['strict-transport-security']).toMatch(/max-age=\d+/);
  });

  it('refuses a websocket from another site', async () => {
    const { url, port } = await serve();
    expect((await upgrade(url, { origin: 'http://evil.example' })).status).toBe(403);
    const own = await upgrade(url, { origin: `http://127.0.0.1:${port}` });
    expect(own.status).toBe(101);
    own.socket!.destroy();
  });

  it('answers the console and API only for its own host names (DNS rebinding), but /alerts and probes for any', async () => {
    const { url } = await serve();
    const evil = { host: 'evil.example:8080' };
    for (const path of ['/api/cases', '/', '/cases/x', '/api/settings']) {
      const res = await raw(url, { path, headers: evil });
      expect(res.status, path).toBe(421);
      expect(code(res)).toBe('TARKA_HOST_NOT_ALLOWED');
      expect(res.headers['x-frame-options']).toBe('DENY');
    }
    expect((await upgrade(url, evil)).status).toBe(421);
    expect((await raw(url, { path: '/health', headers: evil })).status).toBe(200);
    expect((await raw(url, { path: '/metrics', headers: evil })).status).toBe(200);
    const alerts = await raw(url, {
      method: 'POST',
      path: '/alerts',
      headers: { ...evil, 'content-type': 'application/json' },
      body: JSON.stringify(alertPayload([{ fingerprint: caseId, labels }])),
    });
    expect(alerts.status).toBe(202);
    for (const host of ['localhost', '127.0.0.1:8080', '[::1]:8080', 'tarka.localhost'])
      expect((await raw(url, { path: '/api/cases', headers: { host } })).status, host).toBe(200);
    // Names given in AUTH_ALLOWED_HOSTS or AUTH_PUBLIC_BASE_URL are served.
    const named = await serve({
      AUTH_ALLOWED_HOSTS: ['tarka.lan'],
      AUTH_PUBLIC_BASE_URL: 'https://tarka.example.com',
    });
    for (const host of ['tarka.lan:8080', 'tarka.example.com'])
      expect((await raw(named.url, { path: '/api/cases', headers: { host } })).status, host).toBe(200);
    expect((await raw(named.url, { path: '/api/cases', headers: evil })).status).toBe(421);
  });

  it('sends CSP and the other security headers on pages, API answers and errors', async () => {
    const { url } = await serve();
    const shell = await raw(url, { path: '/cases/anything' });
    const html = shell.body;
    // The hash SvelteKit computed for its inline bootstrap is the one in our header.
    const metaHash = /'(sha256-[^']+)'/.exec(
      /content-security-policy" content="([^"]*)"/.exec(html)![1]!,
    )![1]!;
    expect(inlineScriptHashes()).toEqual([`'${metaHash}'`]);
    for (const path of ['/cases/anything', '/api/cases', '/api/nope', '/api/dashboard?days=0']) {
      const res = path === '/cases/anything' ? shell : await raw(url, { path });
      const csp = String(res.headers['content-security-policy']);
      expect(csp, path).toContain("default-src 'self'");
      expect(csp, path).toContain(`script-src 'self' '${metaHash}'`);
      for (const d of [
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
        "form-action 'self'",
      ])
        expect(csp, path).toContain(d);
      expect(csp, path).not.toContain('unsafe-eval');
      expect(res.headers['x-content-type-options'], path).toBe('nosniff');
      expect(res.headers['x-frame-options'], path).toBe('DENY');
      expect(res.headers['referrer-policy'], path).toBe('same-origin');
      expect(res.headers['cross-origin-opener-policy'], path).toBe('same-origin');
      expect(res.headers['cross-origin-resource-policy'], path).toBe('same-origin');
      // Plain http: HSTS would be ignored or, worse, pin a name that has no https.
      expect(res.headers['strict-transport-security'], path).toBeUndefined();
    }
  });

  it('believes proxy identity headers only with AUTH_PROXY_SECRET', async () => {
    const secret = 'proxy-secret-0123456789abcdef';
    const { url } = await serve({
      AUTH_MODE: 'proxy',
      AUTH_PROXY_SECRET: secret,
      AUTH_ALLOWED_DOMAINS: ['example.com'],
    });
    const who = { 'x-forwarded-email': 'ana@example.com' };
    // Anyone who reaches the pod could send this header: 200 before.
    const forged = await raw(url, { path: '/api/cases', headers: who });
    expect(forged.status).toBe(401);
    expect(code(forged)).toBe('TARKA_UNAUTHORIZED');
    expect(
      (await raw(url, { path: '/api/cases', headers: { ...who, 'x-tarka-proxy-secret': `${secret}x` } }))
        .status,
    ).toBe(401);
    expect((await upgrade(url, who)).status).toBe(401);
    const viaProxy = { ...who, 'x-tarka-proxy-secret': secret };
    expect((await raw(url, { path: '/api/cases', headers: viaProxy })).status).toBe(200);
    expect(
      (
        await raw(url, {
          path: '/api/cases',
          headers: { 'x-forwarded-email': 'eve@evil.test', 'x-tarka-proxy-secret': secret },
        })
      ).status,
    ).toBe(403);
    const ws = await upgrade(url, viaProxy);
    expect(ws.status).toBe(101);
    ws.socket!.destroy();
    // The webhook and probes keep their own checks.
    expect((await raw(url, { path: '/health' })).status).toBe(200);
  });

  it('serves only the webhook and probes with SERVE_ROUTES=webhook, only the console and API with console', async () => {
    const webhook = await serve({}, 'webhook');
    const alerts = JSON.stringify(alertPayload([{ fingerprint: caseId, labels }]));
    const post = (url: string) =>
      raw(url, {
        method: 'POST',
        path: '/alerts',
        headers: { 'content-type': 'application/json' },
        body: alerts,
      });
    expect((await post(webhook.url)).status).toBe(202);
    for (const path of ['/api/cases', '/', '/api/settings'])
      expect((await raw(webhook.url, { path })).status, path).toBe(404);
    expect((await upgrade(webhook.url)).status).toBe(404);
    expect((await raw(webhook.url, { path: '/ready' })).status).toBe(200);

    const ui = await serve({}, 'console');
    expect((await post(ui.url)).status).toBe(404);
    expect((await raw(ui.url, { path: '/api/cases' })).status).toBe(200);
    expect((await raw(ui.url, { path: '/' })).status).toBe(200);
    expect((await raw(ui.url, { path: '/metrics' })).status).toBe(200);
  });

  it('caps live connections per address and in total, answering 503 before the upgrade', async () => {
    const { url } = await serve({ LIVE_MAX_CONNECTIONS_PER_IP: 2 });
    const a = await upgrade(url);
    const b = await upgrade(url);
    expect([a.status, b.status]).toEqual([101, 101]);
    const third = await upgrade(url);
    expect(third.status).toBe(503);
    // A closed socket frees its slot.
    a.socket!.destroy();
    await waitFor(
      async () => (await upgrade(url).then((r) => (r.socket?.destroy(), r.status))) === 101,
      5000,
    );
    b.socket!.destroy();

    const total = await serve({ LIVE_MAX_CONNECTIONS: 1 });
    const only = await upgrade(total.url);
    expect(only.status).toBe(101);
    const busy = await raw(total.url, {
      path: '/api/live',
      headers: {
        connection: 'Upgrade',
        upgrade: 'websocket',
        'sec-websocket-version': '13',
        'sec-websocket-key': randomBytes(16).toString('base64'),
      },
    });
    expect(busy.status).toBe(503);
    expect(code(busy)).toBe('TARKA_LIVE_BUSY');
    expect(busy.headers['retry-after']).toBeTruthy();
    only.socket!.destroy();
  });

  it('drops a client that stops reading once LIVE_MAX_BUFFERED_BYTES are unsent; it resumes from its position', async () => {
    const { url, app } = await serve({
      LIVE_MAX_BUFFERED_BYTES: 16 * 1024,
      WEBHOOK_BODY_LIMIT_BYTES: 16 * 1024 * 1024,
    });
    const slowDrops = async () =>
      (await app.inject('/metrics')).body.match(/^tarka_live_refused_total\{reason="slow"\} (\d+)/m)?.[1] ??
      '0';
    const dropsBefore = Number(await slowDrops());
    const slow = await upgrade(url);
    expect(slow.status).toBe(101);
    // Stop reading: the kernel's buffers fill, then the server's.
    slow.socket!.pause();
    const since = await ctx.store.headSeq();
    await caught();
    // ~30 KB per case frame, in annotations of a size any ingest limit lets through.
    const big = Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`note${i}`, 'x'.repeat(3000)]));
    for (let round = 0; round < 20 && Number(await slowDrops()) === dropsBefore; round++) {
      const alerts = Array.from({ length: 40 }, (_, i) => {
        const l = { alertname: 'KubePodCrashLooping', pod: `slow-${round}-${i}` };
        return { fingerprint: labelsFingerprint(l), labels: l, annotations: big };
      });
      const res = await fetch(`${url}/alerts`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(alertPayload(alerts)),
      });
      expect(res.status).toBe(202);
      await caught();
    }
    await waitFor(async () => Number(await slowDrops()) > dropsBefore, 10_000);
    slow.socket!.destroy();

    // Its reconnect from where it was gets the gap or a reset, then live frames.
    const ws = new WebSocket(`${url.replace('http', 'ws')}/api/live?since=${since}`);
    const frames: { type: string; seq: number; resumed?: boolean }[] = [];
    ws.onmessage = (ev) => frames.push(JSON.parse(String(ev.data)));
    await waitFor(async () => frames.some((f) => f.type === 'sync' || f.type === 'reset'), 10_000);
    expect(frames[0]).toMatchObject({ type: 'hello', resumed: true });
    expect(frames.at(-1)!.seq).toBeGreaterThan(since);
    ws.close();
  }, 60_000);
});
