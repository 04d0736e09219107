import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alertPayload, caseId } from '../console/fixtures.js';
import { replayProjection } from '../../src/projections/engine/replay.js';
import { usersProjection } from '../../src/projections/users/projection.js';
import { auditProjection } from '../../src/projections/audit/projection.js';
import { ADMIN, client, json, SESSION_SECRET, signInAdmin, startAuthApp } from './harness.js';

// AUTH_MODE=basic over real HTTP, a real websocket, NATS and Postgres: what a signed-out visitor,
// a viewer, a responder, an admin and an attacker on another site each get.

type App = Awaited<ReturnType<typeof startAuthApp>>;
let app: App;
let admin: ReturnType<typeof client>;
let theCase: string;

const viewer = { email: 'viewer@example.test', password: 'viewer-password-1' };
const responder = { email: 'responder@example.test', password: 'responder-password-1' };

beforeAll(async () => {
  app = await startAuthApp({
    AUTH_MODE: 'basic',
    AUTH_SESSION_SECRET: SESSION_SECRET,
    AUTH_INITIAL_ADMIN_EMAIL: ADMIN.email,
    AUTH_INITIAL_ADMIN_PASSWORD: ADMIN.password,
    AUTH_SESSION_CHECK_SECONDS: '1',
  });
  admin = await signInAdmin(app);
  for (const [u, role] of [
    [viewer, 'viewer'],
    [responder, 'responder'],
  ] as const) {
    const res = await admin.call('/api/admin/users', { method: 'POST', json: { ...u, role } });
    expect(res.status, await res.clone().text()).toBe(201);
  }
  const alert = { fingerprint: 'a0a0a0a0', labels: { alertname: 'AuthTest', namespace: 'shop' } };
  const res = await fetch(`${app.url}/alerts`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(alertPayload([alert])),
  });
  expect(res.status).toBe(202);
  theCase = caseId('a0a0a0a0');
}, 60_000);

afterAll(async () => {
  await app?.close();
});

const signedIn = async (u: { email: string; password: string }) => {
  const c = client(app.url);
  const res = await c.login(u.email, u.password);
  expect(res.status, await res.clone().text()).toBe(200);
  return c;
};

describe('signed out', () => {
  it('gets 401 JSON from the API and the sign-in page for console routes; probes and the webhook stay open', async () => {
    const anon = client(app.url);
    for (const path of [
      '/api/cases',
      `/api/cases/${theCase}`,
      '/api/dashboard',
      '/api/admin/users',
      '/api/settings',
    ]) {
      const res = await anon.call(path);
      expect(res.status, path).toBe(401);
      expect((await json(res)).code).toBe('TARKA_UNAUTHORIZED');
    }
    const post = await anon.call(`/api/cases/${theCase}/snooze`, {
      method: 'POST',
      json: { duration: '1h' },
    });
    expect(post.status).toBe(401);
    for (const path of ['/', '/cases/abc?tab=report', '/dashboard', '/admin/users']) {
      const res = await anon.call(path);
      expect(res.status, path).toBe(303);
      const to = new URL(res.headers.get('location')!, app.url);
      expect(to.pathname).toBe('/login');
      expect(to.searchParams.get('next')).toBe(path);
    }
    const login = await anon.call('/login?next=%2Fcases%2Fabc');
    expect(login.status).toBe(200);
    const html = await login.text();
    expect(html).toContain('name="password"');
    expect(html).toContain('value="/cases/abc"');
    expect((await anon.call('/health')).status).toBe(200);
    expect((await anon.call('/metrics')).status).toBe(200);
  });
});

describe('password sign-in', () => {
  it('sets an HttpOnly, SameSite=Lax session cookie for Path=/ and says the same for a wrong password and an unknown user', async () => {
    const c = client(app.url);
    const res = await c.login(viewer.email, viewer.password);
    const set = res.headers.getSetCookie().find((h) => h.startsWith('tarka_session='))!;
    expect(set).toMatch(/HttpOnly/i);
    expect(set).toMatch(/SameSite=Lax/i);
    expect(set).toMatch(/Path=\//);
    // Plain http (this test): no Secure flag, so no __Host- prefix either (browsers would refuse it).
    expect(set).not.toMatch(/Secure/i);
    const { rows } = await app.ctx.pool.query('SELECT token_hash FROM auth_sessions');
    const token = decodeURIComponent(c.cookie.split('=')[1]!);
    // Only a hash is stored.
    expect(rows.some((r: { token_hash: Buffer }) => r.token_hash.toString('utf8').includes(token))).toBe(
      false,
    );
    expect(await json(await c.call('/api/auth/me'))).toMatchObject({
      name: viewer.email,
      role: 'viewer',
      via: 'session',
    });

    const wrong = await client(app.url).login(viewer.email, 'not-the-password-1');
    const unknown = await client(app.url).login('nobody@example.test', 'not-the-password-1');
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(await json(wrong)).toEqual(await json(unknown));
  });

  it('locks an e-mail after 5 failures, even with the right password next, with Retry-After', async () => {
    const locked = { email: 'locked@example.test', password: 'locked-password-1' };
    expect(
      (await admin.call('/api/admin/users', { method: 'POST', json: { ...locked, role: 'viewer' } })).status,
    ).toBe(201);
    for (let i = 0; i < 5; i++)
      expect((await client(app.url).login(locked.email, `wrong-password-${i}`)).status).toBe(401);
    const res = await client(app.url).login(locked.email, locked.password);
    expect(res.status).toBe(429);
    expect((await json(res)).code).toBe('TARKA_SIGN_IN_LIMITED');
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
    // Another user from the same address is not locked by it.
    expect((await client(app.url).login(responder.email, responder.password)).status).toBe(200);
    // The form gives the page back with a generic message.
    const form = await fetch(`${app.url}/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ email: locked.email, password: locked.password, next: '/' }),
    });
    expect(form.status).toBe(429);
    expect(await form.text()).toContain('Too many failed sign-ins');
  });

  it('sends the form back to a safe `next` only', async () => {
    const cases: [string, string][] = [
      ['/cases/abc?x=1', '/cases/abc?x=1'],
      ['//evil.example/x', '/'],
      ['/\\evil.example', '/'],
      ['https://evil.example/', '/'],
      ['javascript:alert(1)', '/'],
      ['/%2F%2Fevil.example', '/%2F%2Fevil.example'],
      ['\t//evil.example', '/'],
    ];
    for (const [next, expected] of cases) {
      const res = await fetch(`${app.url}/auth/login`, {
        method: 'POST',
        redirect: 'manual',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ email: responder.email, password: responder.password, next }),
      });
      expect(res.status, next).toBe(303);
      expect(res.headers.get('location'), next).toBe(expected);
    }
  });
});

describe('roles', () => {
  const actions: [string, unknown][] = [
    ['snooze', { duration: '1h' }],
    ['resolve', { category: 'false_positive' }],
    ['reopen', {}],
    ['rerun', {}],
  ];

  it('a viewer reads but cannot act on a case, chat, or manage anything', async () => {
    const v = await signedIn(viewer);
    expect((await v.call('/api/cases')).status).toBe(200);
    expect((await v.call(`/api/cases/${theCase}`)).status).toBe(200);
    for (const [action, body] of actions) {
      const res = await v.call(`/api/cases/${theCase}/${action}`, { method: 'POST', json: body });
      expect(res.status, action).toBe(403);
      expect((await json(res)).code).toBe('TARKA_FORBIDDEN');
    }
    for (const path of [`/api/cases/${theCase}/chat`, '/api/chat', '/api/admin/users', '/api/admin/tokens']) {
      const res = await v.call(path, {
        method: 'POST',
        json: { text: 'hi', email: 'x@example.test', role: 'admin', name: 't' },
      });
      expect(res.status, path).toBe(403);
    }
    expect((await v.call('/api/admin/audit')).status).toBe(403);
  });

  it('a responder acts, and the event says who and from where', async () => {
    const r = await signedIn(responder);
    const res = await r.call(`/api/cases/${theCase}/snooze`, {
      method: 'POST',
      json: { duration: '1h', note: 'looking' },
      headers: { 'user-agent': 'auth-test-agent' },
    });
    expect(res.status, await res.clone().text()).toBe(202);
    const detail = await json(await r.call(`/api/cases/${theCase}`));
    const snoozed = detail.events.find((e: { type: string }) => e.type === 'CaseSnoozed');
    expect(snoozed.data.by).toBe(responder.email);
    expect(snoozed.data.source).toEqual({ ip: '127.0.0.1', userAgent: 'auth-test-agent' });
    expect(
      (await r.call('/api/admin/users', { method: 'POST', json: { email: 'y@example.test', role: 'admin' } }))
        .status,
    ).toBe(403);
  });
});

describe('CSRF', () => {
  it('refuses changes and sign-ins sent from another site, and non-JSON bodies', async () => {
    const r = await signedIn(responder);
    const evil = { origin: 'http://evil.example', 'sec-fetch-site': 'cross-site' };
    const res = await r.call(`/api/cases/${theCase}/reopen`, { method: 'POST', json: {}, headers: evil });
    expect(res.status).toBe(403);
    expect((await json(res)).code).toBe('TARKA_CROSS_ORIGIN');
    const form = await r.call(`/api/cases/${theCase}/reopen`, {
      method: 'POST',
      body: 'note=x',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(form.status).toBe(415);
    const login = await fetch(`${app.url}/auth/login`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...evil },
      body: new URLSearchParams({ email: responder.email, password: responder.password }),
    });
    expect(login.status).toBe(403);
    const logout = await r.call('/auth/logout', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...evil },
      body: '',
    });
    expect(logout.status).toBe(403);
    expect((await r.call('/api/cases')).status).toBe(200);
  });
});

describe('sessions', () => {
  it('end on logout, when idle too long, and at their absolute limit', async () => {
    const a = await signedIn(viewer);
    const kept = a.cookie;
    expect((await a.call('/api/auth/logout', { method: 'POST', json: {} })).status).toBe(200);
    a.cookie = kept;
    expect((await a.call('/api/cases')).status).toBe(401);

    const idle = await signedIn(viewer);
    await app.ctx.pool.query(
      `UPDATE auth_sessions SET last_seen = now() - interval '61 minutes' WHERE revoked_at IS NULL AND email = $1`,
      [viewer.email],
    );
    expect((await idle.call('/api/cases')).status).toBe(401);

    const old = await signedIn(viewer);
    await app.ctx.pool.query(
      `UPDATE auth_sessions SET expires_at = now() - interval '1 second' WHERE revoked_at IS NULL AND email = $1`,
      [viewer.email],
    );
    expect((await old.call('/api/cases')).status).toBe(401);
  });

  it('logout everywhere ends every session and closes an open websocket', async () => {
    const one = await signedIn(responder);
    const two = await signedIn(responder);
    const ws = new WebSocket(`${app.url.replace('http', 'ws')}/api/live`, {
      headers: { cookie: one.cookie },
    } as never);
    await new Promise<void>((resolve, reject) => {
      ws.onopen = () => resolve();
      ws.onerror = () => reject(new Error('websocket did not open'));
    });
    const closed = new Promise<number>((resolve) => (ws.onclose = (e) => resolve(e.code)));
    expect((await two.call('/api/auth/logout', { method: 'POST', json: { everywhere: true } })).status).toBe(
      200,
    );
    expect(await closed).toBe(4401);
    expect((await one.call('/api/cases')).status).toBe(401);
    // A websocket without a session is refused before the upgrade.
    const anon = new WebSocket(`${app.url.replace('http', 'ws')}/api/live`);
    const refused = await new Promise<string>((resolve) => {
      anon.onopen = () => resolve('open');
      anon.onerror = () => resolve('refused');
    });
    expect(refused).toBe('refused');
  });

  it('closes a websocket whose session another replica revoked (checked in Postgres)', async () => {
    const c = await signedIn(viewer);
    const ws = new WebSocket(`${app.url.replace('http', 'ws')}/api/live`, {
      headers: { cookie: c.cookie },
    } as never);
    await new Promise<void>((resolve) => (ws.onopen = () => resolve()));
    const closed = new Promise<number>((resolve) => (ws.onclose = (e) => resolve(e.code)));
    await app.ctx.pool.query('UPDATE auth_sessions SET revoked_at = now() WHERE email = $1', [viewer.email]);
    expect(await closed).toBe(4401);
  });
});

describe('API tokens', () => {
  it('act with their role until revoked; only a hash is stored', async () => {
    const res = await admin.call('/api/admin/tokens', {
      method: 'POST',
      json: { name: 'ci-reader', role: 'viewer', days: 30 },
    });
    expect(res.status).toBe(201);
    const { token, id } = await json(res);
    expect(token).toMatch(/^tarka_/);
    const bearer = { authorization: `Bearer ${token}` };
    expect((await fetch(`${app.url}/api/cases`, { headers: bearer })).status).toBe(200);
    const act = await fetch(`${app.url}/api/cases/${theCase}/reopen`, {
      method: 'POST',
      headers: { ...bearer, 'content-type': 'application/json' },
      body: '{}',
    });
    expect(act.status).toBe(403);
    const { rows } = await app.ctx.pool.query(
      'SELECT count(*)::int AS n FROM auth_api_tokens WHERE token_hash::text LIKE $1',
      [`%${token}%`],
    );
    expect(rows[0].n).toBe(0);
    expect((await admin.call(`/api/admin/tokens/${id}/revoke`, { method: 'POST', json: {} })).status).toBe(
      200,
    );
    const after = await fetch(`${app.url}/api/cases`, { headers: bearer });
    expect(after.status).toBe(401);
    expect(
      (await fetch(`${app.url}/api/cases`, { headers: { authorization: 'Bearer tarka_made-up' } })).status,
    ).toBe(401);
  });
});

describe('users and audit', () => {
  it('a disabled user cannot sign in and loses their sessions; the audit view shows who, what and from where, and replay rebuilds it', async () => {
    const temp = { email: 'temp@example.test', password: 'temp-password-12' };
    const created = await json(
      await admin.call('/api/admin/users', { method: 'POST', json: { ...temp, role: 'responder' } }),
    );
    const t = await signedIn(temp);
    expect(
      (await admin.call(`/api/admin/users/${created.userId}/disable`, { method: 'POST', json: {} })).status,
    ).toBe(200);
    expect((await t.call('/api/cases')).status).toBe(401);
    expect((await client(app.url).login(temp.email, temp.password)).status).toBe(401);
    expect(
      (
        await admin.call(`/api/admin/users/${created.userId}/role`, {
          method: 'POST',
          json: { role: 'viewer' },
        })
      ).status,
    ).toBe(200);

    await app.caught();
    const users = (await json(await admin.call('/api/admin/users'))).users;
    expect(users.find((u: { email: string }) => u.email === temp.email)).toMatchObject({
      disabled: true,
      role: 'viewer',
    });
    const entries = (await json(await admin.call('/api/admin/audit?limit=500'))).entries as {
      type: string;
      actor: string;
      ip: string;
      target: string;
    }[];
    const types = new Set(entries.map((e) => e.type));
    for (const t of [
      'SignedIn',
      'SignInFailed',
      'SignedOut',
      'SessionRevoked',
      'TokenCreated',
      'TokenRevoked',
      'UserAdded',
      'UserDisabled',
      'UserRoleChanged',
      'CaseSnoozed',
    ])
      expect(types, t).toContain(t);
    expect(entries.find((e) => e.type === 'CaseSnoozed')).toMatchObject({
      actor: responder.email,
      ip: '127.0.0.1',
      target: theCase,
    });
    expect(entries.find((e) => e.type === 'UserDisabled')).toMatchObject({ actor: ADMIN.email });

    const rows = async () => ({
      users: (await app.ctx.pool.query('SELECT * FROM users ORDER BY user_id')).rows,
      audit: (await app.ctx.pool.query('SELECT * FROM audit ORDER BY seq, idx')).rows,
    });
    const before = await rows();
    const deps = { pool: app.ctx.pool, store: app.ctx.store, log: app.ctx.log };
    await replayProjection(deps, usersProjection);
    await replayProjection(deps, auditProjection);
    expect(await rows()).toEqual(before);
    expect(before.audit.length).toBeGreaterThan(10);
  });
});

describe('housekeeping', () => {
  it('prunes ended sessions and expired failure counts, keeping live ones', async () => {
    const { AuthService } = await import('../../src/auth/service.js');
    const auth = new AuthService(app.ctx.config, app.ctx.pool, app.ctx.store, app.ctx.log);
    const live = await signedIn(viewer);
    await app.ctx.pool.query(
      `UPDATE auth_sessions SET expires_at = now() - interval '2 days' WHERE revoked_at IS NOT NULL`,
    );
    await app.ctx.pool.query(
      `INSERT INTO auth_login_attempts (key, failures, window_start) VALUES ('user:old@example.test', 3, now() - interval '1 hour')`,
    );
    await auth.sessions.prune();
    await auth.limits.prune();
    const { rows } = await app.ctx.pool.query(
      'SELECT count(*)::int AS n FROM auth_sessions WHERE revoked_at IS NOT NULL',
    );
    expect(rows[0].n).toBe(0);
    const old = await app.ctx.pool.query(
      `SELECT 1 FROM auth_login_attempts WHERE key = 'user:old@example.test'`,
    );
    expect(old.rowCount).toBe(0);
    expect((await live.call('/api/cases')).status).toBe(200);
  });
});

describe('behind a trusted proxy', () => {
  it('counts failures per client address, named by X-Forwarded-For from a trusted proxy', async () => {
    const proxied = await startAuthApp({
      AUTH_MODE: 'basic',
      AUTH_SESSION_SECRET: SESSION_SECRET,
      TRUSTED_PROXIES: '127.0.0.1',
    });
    try {
      const from = (ip: string) => ({ 'x-forwarded-for': ip });
      for (let i = 0; i < 20; i++) {
        const res = await client(proxied.url).call('/auth/login', {
          method: 'POST',
          json: { email: `guess${i}@example.test`, password: 'wrong-password-1' },
          headers: from('203.0.113.7'),
        });
        expect(res.status).toBe(401);
      }
      const locked = await client(proxied.url).call('/auth/login', {
        method: 'POST',
        json: { email: 'guess-next@example.test', password: 'wrong-password-1' },
        headers: from('203.0.113.7'),
      });
      expect(locked.status).toBe(429);
      // Another client behind the same proxy is not locked out with the guesser.
      const other = await client(proxied.url).call('/auth/login', {
        method: 'POST',
        json: { email: 'guess-next@example.test', password: 'wrong-password-1' },
        headers: from('198.51.100.9'),
      });
      expect(other.status).toBe(401);
      await proxied.caught();
      const { rows } = await proxied.ctx.pool.query(
        `SELECT DISTINCT ip FROM audit WHERE type = 'SignInFailed'`,
      );
      expect(rows.map((r: { ip: string }) => r.ip).sort()).toEqual(['198.51.100.9', '203.0.113.7']);
    } finally {
      await proxied.close();
    }
  }, 60_000);
});
