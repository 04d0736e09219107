import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { userAggregate, userIdOf } from '../../src/auth/identity.js';
import type { EventStore } from '../../src/events/event-store.js';
import { buildApp } from '../../src/http/app.js';
import type { ProjectorRunner } from '../../src/projections/engine/runner.js';
import { startProjectors } from '../../src/runtime/projectors.js';
import { testContext } from '../support/context.js';

export const SESSION_SECRET = 'test-session-secret-0123456789abcdef';
export const ADMIN = { email: 'admin@example.test', password: 'admin-password-123' };

/** A real Tarka (fresh streams and database) with sign-in configured by `env`, on a free port. */
export async function startAuthApp(env: Record<string, string>, port = 0) {
  const dataDir = mkdtempSync(join(tmpdir(), 'tarka-auth-'));
  const ctx = await testContext({ TARKA_DATA_DIR: dataDir, ...env });
  // Every projector, as `tarka up` runs them beside the API: they hold connections of the
  // process's main pool, which sign-in must not wait on.
  const runners: ProjectorRunner[] = startProjectors(ctx);
  const app: FastifyInstance = buildApp(ctx);
  await app.listen({ host: '127.0.0.1', port });
  const url = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
  return {
    ctx,
    app,
    url,
    /** Resolves once every read model has applied everything appended so far. */
    caught: async () => {
      const head = await ctx.store.headSeq();
      await Promise.all(runners.map((r) => r.waitFor(head)));
    },
    close: async () => {
      await app.close();
      await Promise.all(runners.map((r) => r.stop()));
      await ctx.dispose();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** fetch that keeps the session cookie the server sets, like one browser would (no redirects followed). */
export function client(base: string) {
  let cookie = '';
  const call = async (path: string, init: RequestInit & { json?: unknown } = {}) => {
    const headers = new Headers(init.headers);
    if (cookie) headers.set('cookie', cookie);
    let body = init.body;
    if (init.json !== undefined) {
      headers.set('content-type', 'application/json');
      body = JSON.stringify(init.json);
    }
    const res = await fetch(`${base}${path}`, { ...init, headers, body, redirect: 'manual' });
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(';');
      const [name, value] = pair!.split('=');
      if (name === 'tarka_session') cookie = value ? `tarka_session=${value}` : '';
    }
    return res;
  };
  return {
    call,
    get cookie() {
      return cookie;
    },
    set cookie(v: string) {
      cookie = v;
    },
    login: (email: string, password: string) =>
      call('/auth/login', { method: 'POST', json: { email, password } }),
  };
}

/** Waits until the initial admin exists (created in the background at start), then signs in. */
export async function signInAdmin(app: { url: string; ctx: { store: EventStore } }) {
  const aggregate = userAggregate(userIdOf(ADMIN.email));
  for (let i = 0; (await app.ctx.store.readAggregate(aggregate)).version === 0; i++) {
    if (i > 100) throw new Error('initial admin never created');
    await new Promise((r) => setTimeout(r, 100));
  }
  const c = client(app.url);
  const res = await c.login(ADMIN.email, ADMIN.password);
  if (res.status !== 200) throw new Error(`admin sign-in: ${res.status} ${await res.text()}`);
  return c;
}

/** A JSON answer, loosely typed: tests assert on its fields. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const json = async (res: Response): Promise<any> => res.json();
