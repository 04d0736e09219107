import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../../src/testkit/chromium.js';
import { freePort } from '../../src/testkit/processes.js';
import { ADMIN, SESSION_SECRET, signInAdmin, startAuthApp } from './harness.js';
import { startProvider, type TestAccount } from './provider.js';

// Each AUTH_MODE end to end in headless Chromium: a real OpenID provider on loopback for oidc
// and both, local users for basic and both, the open mode, and an authenticating proxy.

let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});

const me = (page: Page) =>
  page.evaluate(async () => (await fetch('/api/auth/me')).json()) as Promise<{
    name: string | null;
    role: string | null;
    via: string | null;
  }>;

/** Signs in at the provider's own pages (login, then consent), as a person would. */
async function atProvider(page: Page, login: string) {
  await page.waitForSelector('input[name="login"]');
  await page.fill('input[name="login"]', login);
  await page.fill('input[name="password"]', 'any-password');
  await page.click('button[type="submit"]');
  await page.waitForSelector('button[autofocus]');
  await page.click('button[autofocus]');
}

async function withOidcApp(mode: 'oidc' | 'both', accounts: Record<string, TestAccount>) {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const provider = await startProvider(`${base}/auth/oidc/callback`, accounts);
  const app = await startAuthApp(
    {
      AUTH_MODE: mode,
      AUTH_PUBLIC_BASE_URL: base,
      AUTH_SESSION_SECRET: SESSION_SECRET,
      AUTH_ALLOWED_DOMAINS: 'example.test',
      OIDC_ISSUER_URL: provider.issuer,
      OIDC_CLIENT_ID: provider.client.id,
      OIDC_CLIENT_SECRET: provider.client.secret,
      OIDC_PROVIDER_NAME: 'Test SSO',
      AUTH_ROLE_MAP: 'sre-admins=admin,sre=responder',
      ...(mode === 'both'
        ? { AUTH_INITIAL_ADMIN_EMAIL: ADMIN.email, AUTH_INITIAL_ADMIN_PASSWORD: ADMIN.password }
        : {}),
    },
    port,
  );
  return {
    app,
    provider,
    close: async () => {
      await app.close();
      await provider.close();
    },
  };
}

describe('AUTH_MODE=oidc', () => {
  const accounts: Record<string, TestAccount> = {
    alice: { email: 'alice@example.test', email_verified: true, name: 'Alice', groups: ['sre-admins'] },
    dave: { email: 'Dave@Example.test', email_verified: true, groups: ['marketing'] },
    mallory: { email: 'mallory@elsewhere.test', email_verified: true, groups: ['sre-admins'] },
    eve: { email: 'eve@example.test', email_verified: false, groups: ['sre-admins'] },
    nomail: { groups: ['sre-admins'] },
  };
  let env: Awaited<ReturnType<typeof withOidcApp>>;
  beforeAll(async () => {
    env = await withOidcApp('oidc', accounts);
  }, 60_000);
  afterAll(async () => {
    await env?.close();
  });

  const signIn = async (login: string, path = '/cases/some-case?tab=report') => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${env.app.url}${path}`);
    expect(new URL(page.url()).pathname).toBe('/login');
    await page.click('#sign-in-provider');
    await atProvider(page, login);
    await page.waitForURL((u) => u.origin === env.app.url);
    return { context, page };
  };

  it('signs a person in through the provider and back to the page they asked for, with the role their groups map to', async () => {
    const { context, page } = await signIn('alice');
    expect(page.url()).toBe(`${env.app.url}/cases/some-case?tab=report`);
    expect(await me(page)).toMatchObject({ name: 'alice@example.test', role: 'admin', via: 'session' });
    const cookie = (await context.cookies()).find((c) => c.name === 'tarka_session')!;
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Lax', path: '/' });
    // The OIDC flow cookie was single use.
    expect((await context.cookies()).some((c) => c.name === 'tarka_oidc')).toBe(false);
    await context.close();
  });

  it('gives users no group maps the default role (viewer), e-mail compared in lower case', async () => {
    const { context, page } = await signIn('dave', '/');
    expect(await me(page)).toMatchObject({ name: 'dave@example.test', role: 'viewer' });
    await context.close();
  });

  it('refuses other domains, unverified and missing e-mails, with a generic page', async () => {
    for (const login of ['mallory', 'eve', 'nomail']) {
      const { context, page } = await signIn(login, '/');
      expect(new URL(page.url()).pathname, login).toBe('/auth/oidc/callback');
      expect(await page.textContent('.error'), login).toMatch(/may not sign in|did not confirm/);
      const res = await page.evaluate(async () => (await fetch('/api/cases')).status);
      expect(res, login).toBe(401);
      await context.close();
    }
  });

  it('re-checks the role at each sign-in: a group removed at the provider lowers it', async () => {
    accounts.alice!.groups = ['sre'];
    const { context, page } = await signIn('alice', '/');
    expect(await me(page)).toMatchObject({ role: 'responder' });
    accounts.alice!.groups = ['sre-admins'];
    await context.close();
  });

  it('never sends a person elsewhere after signing in (open redirects)', async () => {
    for (const next of ['//evil.example/', '/\\evil.example', 'https://evil.example/']) {
      const context = await browser.newContext();
      const page = await context.newPage();
      await page.goto(`${env.app.url}/auth/oidc/start?next=${encodeURIComponent(next)}`);
      await atProvider(page, 'alice');
      await page.waitForURL((u) => u.origin === env.app.url && u.pathname !== '/auth/oidc/callback');
      expect(page.url(), next).toBe(`${env.app.url}/`);
      await context.close();
    }
  });

  it('refuses a callback it did not start (forged state, no flow cookie)', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const res = await page.goto(`${env.app.url}/auth/oidc/callback?code=forged&state=forged`);
    expect(res!.status()).toBe(400);
    expect(await page.evaluate(async () => (await fetch('/api/cases')).status)).toBe(401);
    await context.close();
  });

  it('refuses a callback whose state differs from the flow this browser started (login CSRF)', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    // A real flow cookie, then a code and state that belong to someone else's flow.
    await page.goto(`${env.app.url}/auth/oidc/start?next=%2F`);
    await page.waitForSelector('input[name="login"]');
    const res = await page.goto(`${env.app.url}/auth/oidc/callback?code=attacker-code&state=attacker-state`);
    expect(res!.status()).toBe(401);
    expect(await page.textContent('.error')).toContain('could not be completed');
    expect(await page.evaluate(async () => (await fetch('/api/cases')).status)).toBe(401);
    await context.close();
  });

  it('offers no password form, and the audit view lists the provider sign-ins and refusals', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${env.app.url}/login`);
    expect(await page.locator('input[name="password"]').count()).toBe(0);
    await page.click('#sign-in-provider');
    await atProvider(page, 'alice');
    await page.waitForURL((u) => u.origin === env.app.url);
    await env.app.caught();
    const audit = (await page.evaluate(async () => (await fetch('/api/admin/audit?limit=500')).json())) as {
      entries: { type: string; actor: string | null; detail: { reason?: string } }[];
    };
    const reasons = audit.entries.filter((e) => e.type === 'SignInFailed').map((e) => e.detail.reason);
    expect(reasons).toEqual(expect.arrayContaining(['domain', 'unverified_email', 'provider']));
    expect(audit.entries.some((e) => e.type === 'SignedIn' && e.actor === 'alice@example.test')).toBe(true);
    expect(audit.entries.some((e) => e.type === 'UserRoleChanged')).toBe(true);
    await context.close();
  });
});

describe('AUTH_MODE=both', () => {
  let env: Awaited<ReturnType<typeof withOidcApp>>;
  beforeAll(async () => {
    env = await withOidcApp('both', {
      bob: { email: 'bob@example.test', email_verified: true, groups: ['sre'] },
    });
    await signInAdmin(env.app);
  }, 60_000);
  afterAll(async () => {
    await env?.close();
  });

  it('offers the provider and the password form; both sign in', async () => {
    const a = await browser.newContext();
    const page = await a.newPage();
    await page.goto(`${env.app.url}/dashboard`);
    await page.fill('input[name="email"]', ADMIN.email);
    await page.fill('input[name="password"]', ADMIN.password);
    await page.click('button[type="submit"]');
    await page.waitForURL(`${env.app.url}/dashboard`);
    expect(await me(page)).toMatchObject({ name: ADMIN.email, role: 'admin' });
    await a.close();

    const b = await browser.newContext();
    const other = await b.newPage();
    await other.goto(`${env.app.url}/`);
    await other.click('#sign-in-provider');
    await atProvider(other, 'bob');
    await other.waitForURL(`${env.app.url}/`);
    expect(await me(other)).toMatchObject({ name: 'bob@example.test', role: 'responder' });
    await b.close();
  });
});

describe('AUTH_MODE=basic', () => {
  it('signs in with the form, says nothing more than "wrong e-mail or password", and signs out', async () => {
    const app = await startAuthApp({
      AUTH_MODE: 'basic',
      AUTH_SESSION_SECRET: SESSION_SECRET,
      AUTH_INITIAL_ADMIN_EMAIL: ADMIN.email,
      AUTH_INITIAL_ADMIN_PASSWORD: ADMIN.password,
    });
    try {
      await signInAdmin(app); // waits for the initial admin
      const context = await browser.newContext();
      const page = await context.newPage();
      await page.goto(`${app.url}/cases/x`);
      expect(await page.locator('#sign-in-provider').count()).toBe(0);
      await page.fill('input[name="email"]', ADMIN.email);
      await page.fill('input[name="password"]', 'wrong-password-123');
      await page.click('button[type="submit"]');
      expect(await page.textContent('.error')).toBe('Wrong e-mail or password.');
      await page.fill('input[name="password"]', ADMIN.password);
      await page.click('button[type="submit"]');
      await page.waitForURL(`${app.url}/cases/x`);
      expect(await me(page)).toMatchObject({ role: 'admin' });
      const status = await page.evaluate(
        async () =>
          (
            await fetch('/api/auth/logout', {
              method: 'POST',
              headers: { 'content-type': 'application/json' },
              body: '{}',
            })
          ).status,
      );
      expect(status).toBe(200);
      // A fresh tab: the old one may itself be moving to the login page (its live socket closes
      // when the session ends), which would abort a navigation started there.
      const tab = await context.newPage();
      await tab.goto(`${app.url}/dashboard`);
      expect(new URL(tab.url()).pathname).toBe('/login');
      await context.close();
    } finally {
      await app.close();
    }
  });
});

describe('AUTH_MODE=disabled and proxy', () => {
  it('disabled: open on loopback, nobody signs in', async () => {
    const app = await startAuthApp({ AUTH_MODE: 'disabled' });
    try {
      const context = await browser.newContext();
      const page = await context.newPage();
      await page.goto(`${app.url}/dashboard`);
      expect(new URL(page.url()).pathname).toBe('/dashboard');
      expect(await me(page)).toMatchObject({ via: 'open', name: null });
      await context.close();
    } finally {
      await app.close();
    }
  });

  it('proxy: only requests carrying the proxy secret, as the user it names, with a role from its groups', async () => {
    const secret = 'proxy-shared-secret-0123456789';
    const app = await startAuthApp({
      AUTH_MODE: 'proxy',
      AUTH_PROXY_SECRET: secret,
      AUTH_ROLE_MAP: 'sre-admins=admin',
    });
    try {
      const direct = await browser.newContext();
      const res = await (await direct.newPage()).goto(`${app.url}/api/cases`);
      expect(res!.status()).toBe(401);
      await direct.close();
      const viaProxy = await browser.newContext({
        extraHTTPHeaders: {
          'x-tarka-proxy-secret': secret,
          'x-forwarded-email': 'pat@example.test',
          'x-forwarded-groups': 'sre-admins',
        },
      });
      const page = await viaProxy.newPage();
      await page.goto(`${app.url}/dashboard`);
      expect(await me(page)).toMatchObject({ name: 'pat@example.test', role: 'admin', via: 'proxy' });
      await viaProxy.close();
    } finally {
      await app.close();
    }
  });
});
