import { afterEach, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../src/http/app.js';
import { createContext, type Context } from '../src/runtime/context.js';
import { createLogger } from '../src/shared/log.js';
import { dropTestResources, testConfig } from './support/context.js';
import { PG } from './support/env.js';
import { startTcpProxy, type ProxyMode, type TcpProxy } from './support/tcp-proxy.js';
import { alertmanagerFixtures } from './fixtures.js';

// `tarka serve` in front of a Postgres that hangs (a black hole), refuses (stopped) or freezes with
// connections open (SIGSTOP, a silent network): ingest goes
// on through NATS, the API says 503 + Retry-After within a few seconds, /ready stays 200 (for
// `project` it says 503), and everything answers again once Postgres is back, without a restart.

const fixture = alertmanagerFixtures()[0]!.body;
const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!().catch(() => undefined);
});

async function serveBehindProxy(
  mode: ProxyMode,
): Promise<{ proxy: TcpProxy; ctx: Context; app: FastifyInstance }> {
  const proxy = await startTcpProxy({ host: PG.host, port: PG.port });
  cleanups.push(() => proxy.close());
  proxy.setMode(mode);
  const config = testConfig({
    POSTGRES_PORT: String(proxy.port),
    POSTGRES_READ_TIMEOUT_SECONDS: '1',
    ALERTNAME_ALLOWLIST: '',
  });
  cleanups.push(() => dropTestResources(config));
  const ctx = await createContext(config, createLogger(config.LOG_LEVEL), 'serve', { postgres: 'optional' });
  cleanups.push(() => ctx.close());
  const app = buildApp(ctx);
  cleanups.push(() => app.close());
  return { proxy, ctx, app };
}

const timed = async (app: FastifyInstance, url: string) => {
  const t0 = Date.now();
  const res = await app.inject(url);
  return { res, ms: Date.now() - t0 };
};

const postAlerts = (app: FastifyInstance) =>
  app.inject({
    method: 'POST',
    url: '/alerts',
    payload: JSON.stringify(fixture),
    headers: { 'content-type': 'application/json' },
  });

/** Polls until the API answers 200 again (Postgres back), or fails after `ms`. */
async function untilApiAnswers(app: FastifyInstance, ms = 15_000): Promise<void> {
  const deadline = Date.now() + ms;
  for (;;) {
    const res = await app.inject('/api/cases');
    if (res.statusCode === 200) return;
    if (Date.now() > deadline) throw new Error(`API still answers ${res.statusCode}: ${res.body}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** What a user sees while Postgres is out: 503 fast on the API, alerts still taken, serve ready. */
async function expectOutageHandled(ctx: Context, app: FastifyInstance) {
  for (const url of ['/api/cases', '/api/facets', `/api/cases/${fixture.alerts[0]!.fingerprint as string}`]) {
    const { res, ms } = await timed(app, url);
    expect(res.statusCode, `${url}: ${res.body}`).toBe(503);
    expect(res.headers['retry-after'], url).toBeDefined();
    expect(res.json().code, url).toBe('TARKA_DEPENDENCY_DOWN');
    expect(ms, url).toBeLessThan(3000);
  }
  const alerts = await postAlerts(app);
  expect(alerts.statusCode, alerts.body).toBe(202);
  const ready = await timed(app, '/ready');
  expect(ready.res.statusCode, ready.res.body).toBe(200);
  expect(ready.res.json()).toMatchObject({ nats: 'ok', postgres: expect.stringMatching(/^down/) });
  expect(ready.ms).toBeLessThan(3000);
  // `project` cannot work without Postgres: its readiness says so.
  const asProject = {
    ...ctx,
    database: { ...ctx.database, need: 'required', problem: ctx.database.problem },
  };
  const project = buildApp(asProject, 'ops');
  cleanups.push(() => project.close());
  expect((await project.inject('/ready')).statusCode).toBe(503);
}

describe('Postgres outage under tarka serve', () => {
  it.each(['hang', 'refuse', 'freeze'] as const)(
    'Postgres that starts to %s: API 503 fast, alerts 202, /ready 200, back to 200 by itself',
    async (mode) => {
      const { proxy, ctx, app } = await serveBehindProxy('forward');
      expect((await postAlerts(app)).statusCode).toBe(202);
      // Several reads at once, so the pool holds open connections when Postgres goes away.
      for (const res of await Promise.all([1, 2, 3, 4].map(() => app.inject('/api/cases'))))
        expect(res.statusCode).toBe(200);
      proxy.setMode(mode);
      await expectOutageHandled(ctx, app);
      proxy.setMode('forward');
      await untilApiAnswers(app);
      expect((await app.inject('/ready')).json()).toMatchObject({ status: 'ready', postgres: 'ok' });
    },
  );

  it.each(['hang', 'refuse'] as const)(
    'serve starts while Postgres does %s, and sets the database up once it is back',
    async (mode) => {
      const { proxy, ctx, app } = await serveBehindProxy(mode);
      await expectOutageHandled(ctx, app);
      expect((await app.inject('/api/cases')).json()).toMatchObject({
        message: expect.stringMatching(/Postgres is not available yet/),
        hint: expect.stringMatching(/alerts are still taken/),
      });
      proxy.setMode('forward');
      await untilApiAnswers(app);
      const list = (await app.inject('/api/cases')).json();
      expect(list).toMatchObject({ cases: [], total: 0 });
    },
  );
});
