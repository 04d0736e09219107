import type pg from 'pg';
import type { DatabasePool } from 'slonik';
import { afterEach, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { CaseCommandHandler } from '../src/commands/case/handler.js';
import { MemoryEventStore } from '../src/events/memory-event-store.js';
import { buildApp, type Routes } from '../src/http/app.js';
import { createMetrics } from '../src/http/metrics.js';
import { loadConfig } from '../src/shared/config.js';
import { createLogger } from '../src/shared/log.js';

// The three HTTP scopes (webhook, console + API, ops) keep their hooks to themselves; no services
// needed: nothing here reaches Postgres or NATS.

const secret = 'proxy-secret-for-scope-tests-0123456789';
const token = 'webhook-token-for-scope-tests-0123456789';

describe('HTTP scopes', () => {
  const apps: FastifyInstance[] = [];
  afterEach(async () => {
    await Promise.all(apps.splice(0).map((a) => a.close()));
  });

  function app(routes: Routes) {
    const config = loadConfig({
      HOST: '127.0.0.1',
      AUTH_MODE: 'proxy',
      AUTH_PROXY_SECRET: secret,
      AUTH_ALLOWED_HOSTS: 'tarka.example',
      WEBHOOK_BEARER_TOKEN: token,
    });
    const store = new MemoryEventStore();
    const pool = { query: async () => ({ rows: [] }) } as unknown as pg.Pool;
    const a = buildApp(
      {
        config,
        log: createLogger('silent'),
        store,
        handler: new CaseCommandHandler(store),
        pool,
        readPool: {} as DatabasePool,
        metrics: createMetrics(),
      },
      routes,
      '/nonexistent-console-build',
    );
    apps.push(a);
    return a;
  }
  const code = (body: string) => (JSON.parse(body) as { code: string }).code;

  it('keeps browser guards and proxy auth off the webhook and probes', async () => {
    const a = app('all');
    const evil = { host: 'evil.example', origin: 'https://evil.example' };
    const alerts = await a.inject({ method: 'POST', url: '/alerts', headers: evil, payload: {} });
    expect(alerts.statusCode).toBe(401);
    expect(code(alerts.body)).toBe('TARKA_WEBHOOK_UNAUTHORIZED');
    expect((await a.inject({ url: '/health', headers: evil })).statusCode).toBe(200);
    // A wrong method on a webhook or probe path is a plain 404, as before the scopes.
    const get = await a.inject({ url: '/alerts', headers: evil });
    expect([get.statusCode, code(get.body)]).toEqual([404, 'TARKA_NOT_FOUND']);
  });

  it('keeps webhook credentials off the console, and guards its unknown routes too', async () => {
    const a = app('all');
    const api = await a.inject({ url: '/api/settings', headers: { host: 'tarka.example' } });
    expect([api.statusCode, code(api.body)]).toEqual([401, 'TARKA_UNAUTHORIZED']);
    expect(api.headers['www-authenticate']).toBeUndefined();
    const signedIn = { host: 'tarka.example', 'x-tarka-proxy-secret': secret, 'x-forwarded-email': 'a@b.c' };
    expect((await a.inject({ url: '/api/settings', headers: signedIn })).statusCode).toBe(200);
    const rebound = await a.inject({ url: '/api/nope', headers: { host: 'evil.example' } });
    expect([rebound.statusCode, code(rebound.body)]).toEqual([421, 'TARKA_HOST_NOT_ALLOWED']);
    const missing = await a.inject({ url: '/api/nope', headers: signedIn });
    expect(JSON.parse(missing.body)).toEqual({
      code: 'TARKA_NOT_FOUND',
      message: 'no route GET /api/nope',
      hint: 'see the README for the API',
    });
  });

  it('serves only the scopes asked for, with security headers on every answer', async () => {
    for (const routes of ['webhook', 'ops'] as const) {
      const a = app(routes);
      const res = await a.inject({ url: '/api/settings', headers: { host: 'evil.example' } });
      expect([res.statusCode, code(res.body)], routes).toEqual([404, 'TARKA_NOT_FOUND']);
      expect(res.headers['x-frame-options']).toBe('DENY');
      expect((await a.inject({ url: '/ready' })).statusCode).toBe(200);
    }
    const ops = await app('ops').inject({ method: 'POST', url: '/alerts', payload: {} });
    expect(ops.statusCode).toBe(404);
    const console = await app('console').inject({ method: 'POST', url: '/alerts', payload: {} });
    expect([console.statusCode, code(console.body)]).toEqual([404, 'TARKA_NOT_FOUND']);
  });
});
