import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runTokens, runUsers } from '../../src/cli/users.js';
import { client, SESSION_SECRET, startAuthApp } from './harness.js';

// `tarka users` and `tarka tokens` against the same database and event stream a server uses
// (called in-process: the commands' own code, without a build).

type App = Awaited<ReturnType<typeof startAuthApp>>;
let app: App;
beforeAll(async () => {
  app = await startAuthApp({
    AUTH_MODE: 'basic',
    AUTH_SESSION_SECRET: SESSION_SECRET,
    METRICS_TOKEN: 'metrics-token-0123456789',
  });
}, 60_000);
afterAll(async () => {
  await app?.close();
});

const run = async (fn: (out: (l: string) => void) => Promise<void>) => {
  const lines: string[] = [];
  await fn((l) => lines.push(l));
  return lines;
};

describe('tarka users', () => {
  it('adds a user with a generated password shown once, disables, re-enables, changes role and lists', async () => {
    const { config, log } = app.ctx;
    const added = await run((out) =>
      runUsers(
        config,
        log,
        { action: 'add', email: 'Ops@Example.test', role: 'responder', passwordStdin: false },
        out,
      ),
    );
    const password = added.find((l) => l.startsWith('password (shown once): '))!.split(': ')[1]!;
    expect(password.length).toBeGreaterThanOrEqual(20);
    const c = client(app.url);
    expect((await c.login('ops@example.test', password)).status).toBe(200);

    await run((out) => runUsers(config, log, { action: 'disable', email: 'ops@example.test' }, out));
    expect((await c.call('/api/cases')).status).toBe(401);
    expect((await client(app.url).login('ops@example.test', password)).status).toBe(401);
    await run((out) => runUsers(config, log, { action: 'enable', email: 'ops@example.test' }, out));
    await run((out) =>
      runUsers(config, log, { action: 'set-role', email: 'ops@example.test', role: 'admin' }, out),
    );
    const again = client(app.url);
    expect((await again.login('ops@example.test', password)).status).toBe(200);
    expect(((await (await again.call('/api/auth/me')).json()) as { role: string }).role).toBe('admin');

    const reset = await run((out) =>
      runUsers(
        config,
        log,
        { action: 'reset-password', email: 'ops@example.test', passwordStdin: false },
        out,
      ),
    );
    const fresh = reset.find((l) => l.startsWith('password (shown once): '))!.split(': ')[1]!;
    expect((await again.call('/api/cases')).status).toBe(401); // sessions ended
    expect((await client(app.url).login('ops@example.test', password)).status).toBe(401);
    expect((await client(app.url).login('ops@example.test', fresh)).status).toBe(200);

    await app.caught();
    const listed = await run((out) => runUsers(config, log, { action: 'list' }, out));
    expect(listed).toEqual(['ops@example.test\tadmin\tlocal']);
    await expect(
      runUsers(
        config,
        log,
        { action: 'add', email: 'ops@example.test', role: 'viewer', passwordStdin: false },
        () => {},
      ),
    ).rejects.toThrow(/already exists/);
  });
});

describe('tarka tokens', () => {
  it('creates a token whose secret works once shown, lists it without the secret, and revokes it', async () => {
    const { config, log } = app.ctx;
    const created = await run((out) =>
      runTokens(config, log, { action: 'create', name: 'ci', role: 'viewer', days: 1 }, out),
    );
    const secret = created.find((l) => l.startsWith('secret (shown once): '))!.split(': ')[1]!;
    const id = created[0]!.split(' ')[1]!;
    expect(
      (await fetch(`${app.url}/api/cases`, { headers: { authorization: `Bearer ${secret}` } })).status,
    ).toBe(200);
    const listed = await run((out) => runTokens(config, log, { action: 'list' }, out));
    expect(listed.join('\n')).toContain(id);
    expect(listed.join('\n')).not.toContain(secret);
    await run((out) => runTokens(config, log, { action: 'revoke', id }, out));
    expect(
      (await fetch(`${app.url}/api/cases`, { headers: { authorization: `Bearer ${secret}` } })).status,
    ).toBe(401);
  });
});

describe('METRICS_TOKEN', () => {
  it('puts /metrics behind its own bearer token; /health stays open', async () => {
    expect((await fetch(`${app.url}/metrics`)).status).toBe(401);
    expect((await fetch(`${app.url}/metrics`, { headers: { authorization: 'Bearer wrong' } })).status).toBe(
      401,
    );
    const ok = await fetch(`${app.url}/metrics`, {
      headers: { authorization: 'Bearer metrics-token-0123456789' },
    });
    expect(ok.status).toBe(200);
    expect(await ok.text()).toContain('tarka_');
    expect((await fetch(`${app.url}/health`)).status).toBe(200);
  });
});
