import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../../src/testkit/chromium.js';
import { ensureConsoleBuilt } from '../console/harness.js';
import { ADMIN, SESSION_SECRET, signInAdmin, startAuthApp } from './harness.js';

// The console's own sign-in parts in headless Chromium: the user menu, the admin pages (users,
// API tokens, audit) and signing out everywhere.

let browser: Browser;
let app: Awaited<ReturnType<typeof startAuthApp>>;
beforeAll(async () => {
  ensureConsoleBuilt();
  app = await startAuthApp({
    AUTH_MODE: 'basic',
    AUTH_SESSION_SECRET: SESSION_SECRET,
    AUTH_INITIAL_ADMIN_EMAIL: ADMIN.email,
    AUTH_INITIAL_ADMIN_PASSWORD: ADMIN.password,
  });
  await signInAdmin(app);
  browser = await launchChromium();
}, 180_000);
afterAll(async () => {
  await browser?.close();
  await app?.close();
});

describe('console sign-in pages', () => {
  it('an admin manages users and tokens, reads the audit, and signs out everywhere', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${app.url}/admin/users`);
    await page.fill('input[name="email"]', ADMIN.email);
    await page.fill('input[name="password"]', ADMIN.password);
    await page.click('button[type="submit"]');
    await page.waitForURL(`${app.url}/admin/users`);

    await page.fill('form.add input[name="email"]', 'new.person@example.test');
    await page.selectOption('form.add select[name="role"]', 'responder');
    await page.fill('form.add input[name="password"]', 'new-person-password');
    await page.click('form.add button[type="submit"]');
    await page.waitForSelector('tr[data-email="new.person@example.test"]');
    expect(await page.textContent('tr[data-email="new.person@example.test"]')).toContain('active');

    await page.click('.user .who');
    await page.click('a[href="/admin/tokens"]');
    await page.fill('form.add input[name="name"]', 'ci');
    await page.click('form.add button[type="submit"]');
    const token = (await page.textContent('#new-token'))!;
    expect(token).toMatch(/^tarka_/);
    expect(
      (await fetch(`${app.url}/api/cases`, { headers: { authorization: `Bearer ${token}` } })).status,
    ).toBe(200);

    await app.caught();
    await page.goto(`${app.url}/admin/audit`);
    await page.waitForSelector('tr[data-type="SignedIn"]');
    expect(await page.locator('tr[data-type="UserAdded"]').count()).toBeGreaterThan(0);
    expect(await page.locator('tr[data-type="TokenCreated"]').count()).toBe(1);

    const other = await browser.newContext();
    const second = await other.newPage();
    await second.goto(`${app.url}/login`);
    await second.fill('input[name="email"]', ADMIN.email);
    await second.fill('input[name="password"]', ADMIN.password);
    await second.click('button[type="submit"]');
    await second.waitForURL(`${app.url}/`);
    await second.locator('[data-live="live"]').waitFor();

    await page.click('.user .who');
    await page.click('#sign-out-everywhere');
    // Polled: the sign-out and the closed live feed both navigate to sign-in, one may abort the other.
    await expect.poll(() => new URL(page.url()).pathname, { timeout: 10_000 }).toBe('/login');
    // The other browser's open console loses its live feed (closed 4401) and goes to sign-in by itself.
    await expect.poll(() => new URL(second.url()).pathname, { timeout: 10_000 }).toBe('/login');
    expect(new URL(second.url()).searchParams.get('next')).toBe('/');
    await other.close();
    await context.close();
  });

  it('shows a viewer no admin links, and the admin pages answer them 403', async () => {
    const admin = await signInAdmin(app);
    await admin.call('/api/admin/users', {
      method: 'POST',
      json: { email: 'watcher@example.test', role: 'viewer', password: 'watcher-password' },
    });
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${app.url}/login`);
    await page.fill('input[name="email"]', 'watcher@example.test');
    await page.fill('input[name="password"]', 'watcher-password');
    await page.click('button[type="submit"]');
    await page.waitForURL(`${app.url}/`);
    await page.click('.user .who');
    expect(await page.locator('#sign-out').count()).toBe(1);
    expect(await page.locator('a[href="/admin/users"]').count()).toBe(0);
    await page.goto(`${app.url}/admin/users`);
    await page.waitForSelector('.error');
    expect(await page.textContent('.error')).toContain('admin role');

    // The session ends while the console is open: its next API call (the inbox's own refresh or
    // a click) takes the page to sign-in, with the way back.
    await page.goto(`${app.url}/`);
    await page.waitForSelector('nav a[href="/dashboard"]');
    await app.ctx.pool.query(
      `UPDATE auth_sessions SET expires_at = now() WHERE email = 'watcher@example.test'`,
    );
    await page.click('nav a[href="/dashboard"]', { timeout: 2000 }).catch(() => undefined);
    await expect.poll(() => new URL(page.url()).pathname, { timeout: 10_000 }).toBe('/login');
    expect(['/', '/dashboard']).toContain(new URL(page.url()).searchParams.get('next'));
    await context.close();
  });
});
