import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alertPayload, caseId, sampleReport } from './fixtures.js';
import {
  ensureConsoleBuilt,
  getJson,
  launchChromium,
  outputDir,
  requestedInvestigation,
  startConsoleApp,
  type ConsoleApp,
} from './harness.js';

// The console in a real browser against a real Tarka: everything a person sees must arrive by
// itself (no reloads), from the same events the API serves.

describe('live console in Chromium', () => {
  let t: ConsoleApp;
  let browser: Browser;
  let context: BrowserContext;
  const shot = (page: Page, name: string) => page.screenshot({ path: join(outputDir, name), fullPage: true });

  beforeAll(async () => {
    ensureConsoleBuilt();
    mkdirSync(outputDir, { recursive: true });
    [t, browser] = await Promise.all([startConsoleApp(), launchChromium()]);
    // bypassCSP lets the test driver evaluate its probes; the safety test then proves that the
    // page escapes hostile text by itself, not only because the CSP would block a script.
    context = await browser.newContext({ viewport: { width: 1400, height: 900 }, bypassCSP: true });
  }, 120_000);

  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await t?.close();
  });

  const openLive = async (path: string) => {
    const page = await context.newPage();
    await page.goto(`${t.url}${path}`);
    await page.locator('[data-live="live"]').waitFor();
    return page;
  };

  const investigationOf = (caseId: string) => requestedInvestigation(t.url, caseId);

  const step = (caseId: string, investigationId: string, name: string, summary: string, status = 'ok') =>
    t.ctx.handler.handle(
      caseId,
      {
        type: 'RecordInvestigationStep',
        investigationId,
        step: name,
        status: status as 'ok',
        startedAt: new Date().toISOString(),
        durationMs: 42,
        summary,
        detail: { source: 'prometheus', query: 'up{job="api"}' },
      },
      randomUUID(),
    );

  const complete = async (caseId: string, report = sampleReport()) => {
    const inv = await investigationOf(caseId);
    await t.ctx.handler.handle(
      caseId,
      { type: 'StartInvestigation', investigationId: inv, worker: 'w1', attempt: 1 },
      randomUUID(),
    );
    await step(caseId, inv, 'plan', 'looks like crashloop; collecting 2 pieces of evidence', 'done');
    await t.ctx.handler.handle(
      caseId,
      { type: 'CompleteInvestigation', investigationId: inv, anchor: new Date().toISOString(), report },
      randomUUID(),
    );
  };

  it('shows a new alert in the inbox without a reload, and a changed case as it changes', async () => {
    const page = await openLive('/');
    await page.getByText('Nothing is firing. All quiet.').waitFor();
    await t.postAlerts(
      alertPayload([
        {
          fingerprint: 'c0ffee01',
          labels: {
            alertname: 'KubePodCrashLooping',
            namespace: 'payments',
            pod: 'api-6c9f7d-x2k4q',
            severity: 'critical',
            team: 'payments',
            cluster: 'prod-eu-1',
          },
          annotations: { summary: 'Pod payments/api-6c9f7d-x2k4q is crash looping' },
        },
      ]),
    );
    const row = page.locator(`[data-case="${caseId('c0ffee01')}"]`);
    await row.waitFor();
    expect(await row.textContent()).toContain('KubePodCrashLooping');
    expect(await row.textContent()).toContain('investigating');

    await complete(caseId('c0ffee01'));
    await row.getByText('actionable').waitFor();
    expect(await row.textContent()).toContain('oom killed');

    // More cases for a meaningful screenshot and for the filters below.
    await t.postAlerts(
      alertPayload([
        {
          fingerprint: 'c0ffee02',
          labels: {
            alertname: 'HTTP5xxRateHigh',
            namespace: 'shop',
            service: 'checkout',
            severity: 'warning',
            team: 'shop',
          },
        },
        {
          fingerprint: 'c0ffee03',
          labels: {
            alertname: 'CPUThrottlingHigh',
            namespace: 'search',
            pod: 'indexer-0',
            severity: 'info',
            team: 'search',
          },
        },
        {
          fingerprint: 'c0ffee04',
          labels: {
            alertname: 'KubeJobFailed',
            namespace: 'payments',
            job_name: 'nightly-report',
            severity: 'warning',
            team: 'payments',
          },
        },
      ]),
    );
    await page.locator(`[data-case="${caseId('c0ffee04')}"]`).waitFor();
    await complete(
      caseId('c0ffee03'),
      sampleReport({
        summary: 'indexer throttled at its CPU limit; no user impact',
        classification: 'informational',
      }),
    );
    await page
      .locator(`[data-case="${caseId('c0ffee03')}"]`)
      .getByText('informational')
      .waitFor();
    await shot(page, 'console-inbox.png');
    await page.close();
  });

  it('keeps filters and search in the URL and pages on the server', async () => {
    const page = await openLive('/?status=all&q=' + encodeURIComponent('ns:payments'));
    await page.locator(`[data-case="${caseId('c0ffee04')}"]`).waitFor();
    expect(await page.locator('[data-case]').count()).toBe(2);
    await page.locator('select').first().selectOption('actionable');
    await page.waitForURL(/classification=actionable/);
    await page.waitForFunction("document.querySelectorAll('[data-case]').length === 1");
    expect(page.url()).toContain('q=ns%3Apayments');
    await page.getByText('Clear filters').click();
    await page.waitForFunction("document.querySelectorAll('[data-case]').length === 4");
    // Keyboard: / focuses search, j selects the first row, Enter opens it.
    await page.keyboard.press('/');
    expect(await page.evaluate('document.activeElement.type')).toBe('search');
    await page.keyboard.press('Escape');
    await page.keyboard.press('j');
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/cases\//);
    await page.close();
  });

  it('streams investigation steps onto an open case page as they are appended', async () => {
    await t.postAlerts(
      alertPayload([
        {
          fingerprint: 'feed0001',
          labels: {
            alertname: 'KubePodCrashLooping',
            namespace: 'payments',
            pod: 'api-6c9f7d-b7wq2',
            severity: 'critical',
            team: 'payments',
          },
          annotations: { summary: 'crash looping', runbook_url: 'https://runbooks.example.com/crashloop' },
        },
      ]),
    );
    await t.caught();
    const page = await openLive(`/cases/${caseId('feed0001')}`);
    await page.getByText('Waiting for a worker').first().waitFor();
    const inv = await investigationOf(caseId('feed0001'));
    await t.ctx.handler.handle(
      caseId('feed0001'),
      { type: 'StartInvestigation', investigationId: inv, worker: 'w1', attempt: 1 },
      randomUUID(),
    );
    await page.locator('[data-state="running"]').waitFor();
    await step(
      caseId('feed0001'),
      inv,
      'plan',
      'looks like crashloop; collecting 3 pieces of evidence',
      'done',
    );
    await page.locator('[data-step="plan"]').waitFor();
    await step(caseId('feed0001'), inv, 'evidence:restarts', 'Container restarts: 14 in 15 min');
    await page.locator('[data-step="evidence:restarts"]').waitFor();
    await step(caseId('feed0001'), inv, 'evidence:logs', 'Logs: Loki answered 503', 'unavailable');
    await page.locator('[data-step="evidence:logs"]').getByText('unavailable').waitFor();
    await t.ctx.handler.handle(
      caseId('feed0001'),
      {
        type: 'CompleteInvestigation',
        investigationId: inv,
        anchor: new Date().toISOString(),
        report: sampleReport(),
      },
      randomUUID(),
    );
    await page.locator('[data-classification="actionable"]').waitFor();
    await page.locator('[data-state="completed"]').waitFor();
    expect(await page.locator('[data-summary]').textContent()).toContain('OOMKilled at 512Mi');
    // Queries link to Prometheus (the server says where it is) and can be copied.
    const graph = page.getByRole('link', { name: 'Open in Prometheus' }).first();
    expect(await graph.getAttribute('href')).toMatch(
      /^http:\/\/prometheus\.example:9090\/graph\?g0\.expr=sum/,
    );
    expect(await page.getByRole('button', { name: 'Copy' }).count()).toBeGreaterThan(2);
    expect(await page.getByText('Loki answered 503').count()).toBeGreaterThan(0);
    expect(await page.locator('[data-score="impact"]').textContent()).toBe('72');
    const runbook = page.getByRole('link', { name: 'https://runbooks.example.com/crashloop' });
    expect(await runbook.getAttribute('href')).toBe('https://runbooks.example.com/crashloop');
    await shot(page, 'console-case.png');
    await page.close();
  });

  it('shows an action taken in one tab in every other open tab', async () => {
    const a = await openLive(`/cases/${caseId('c0ffee02')}`);
    const b = await openLive(`/cases/${caseId('c0ffee02')}`);
    await a.locator('[data-status="firing"]').waitFor();
    await b.locator('[data-status="firing"]').waitFor();
    await a.locator('select[name="duration"]').selectOption('2h');
    await a.locator('textarea').fill('deploy in progress');
    await a.locator('[data-action="snooze"]').click();
    await b.locator('[data-status="snoozed"]').waitFor();
    await b.getByText('deploy in progress').waitFor();
    await b.locator('select[name="category"]').selectOption('noise');
    await b.locator('[data-action="resolve"]').click();
    await a.locator('[data-status="closed"]').waitFor();
    await a.locator('[data-action="reopen"]').click();
    await b.locator('[data-status="firing"]').waitFor();
    await a.close();
    await b.close();
  });

  it('renders hostile labels, annotations and log lines as text, never as HTML or script links', async () => {
    await t.postAlerts(
      alertPayload([
        {
          fingerprint: 'bad00001',
          labels: {
            alertname: '<img src=x onerror="window.__pwned=1">',
            namespace: 'payments',
            note: '<script>window.__pwned=2</script>',
            severity: 'critical',
          },
          annotations: {
            summary: '<b>bold?</b> <script>window.__pwned=3</script>',
            runbook_url: 'javascript:window.__pwned=4',
            dashboard: 'JaVaScRiPt:window.__pwned=5',
          },
        },
      ]),
    );
    await t.caught();
    await complete(caseId('bad00001'));
    const page = await openLive('/?status=all');
    await page.locator(`[data-case="${caseId('bad00001')}"]`).waitFor();
    await page.goto(`${t.url}/cases/${caseId('bad00001')}`);
    await page.getByText('<script>window.__pwned=2</script>').waitFor();
    await page.getByText('javascript:window.__pwned=4').waitFor();
    await page.getByText('fatal: <script>alert(1)</script> out of memory').waitFor();
    expect(await page.evaluate('window.__pwned')).toBeUndefined();
    expect(await page.locator('a[href^="javascript" i]').count()).toBe(0);
    expect(await page.locator('main script, main img, main b').count()).toBe(0);
    await page.close();
  });

  it('draws the dashboard from the read models', async () => {
    const page = await openLive('/dashboard');
    await page.getByRole('heading', { name: 'Noisiest alerts' }).waitFor();
    await page.locator('svg[role="img"] rect').first().waitFor();
    expect(await page.getByText('KubePodCrashLooping').count()).toBeGreaterThan(0);
    expect(await page.locator('[data-stat="open"]').textContent()).toMatch(/^\d+$/);
    await page.getByRole('button', { name: 'by classification' }).click();
    await page.waitForURL(/by=classification/);
    await page.locator('.legend').getByText('actionable').waitFor();
    await shot(page, 'console-dashboard.png');
    await page.close();
  });

  it('works under its own Content-Security-Policy header: renders, goes live, acts, draws charts', async () => {
    // A context that enforces CSP, unlike the others: any script, style or socket the policy
    // blocks is reported as a securitypolicyviolation event.
    const strict = await browser.newContext({ viewport: { width: 1400, height: 900 } });
    await strict.addInitScript(`window.__csp = [];
      document.addEventListener('securitypolicyviolation', (e) =>
        window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));`);
    try {
      await t.postAlerts(
        alertPayload([
          {
            fingerprint: 'c5900001',
            labels: { alertname: 'KubePodCrashLooping', namespace: 'csp', pod: 'api-1', severity: 'warning' },
          },
        ]),
      );
      await t.caught();
      const page = await strict.newPage();
      const res = await page.goto(`${t.url}/cases/${caseId('c5900001')}`);
      const csp = (await res!.allHeaders())['content-security-policy'] ?? '';
      expect(csp).toContain("script-src 'self' 'sha256-");
      expect(csp).toContain("connect-src 'self'");
      await page.locator('[data-live="live"]').waitFor();
      await page.locator('[data-status="firing"]').waitFor();
      // An action is a same-origin JSON POST; its result arrives over the websocket.
      await page.locator('select[name="duration"]').selectOption('2h');
      await page.locator('[data-action="snooze"]').click();
      await page.locator('[data-status="snoozed"]').waitFor();
      await page.goto(`${t.url}/dashboard`);
      await page.locator('[data-live="live"]').waitFor();
      await page.locator('svg[role="img"] rect').first().waitFor();
      expect(await page.evaluate('window.__csp')).toEqual([]);
    } finally {
      await strict.close();
    }
  });

  it('serves the app shell for client routes and keeps API misses as JSON 404s', async () => {
    const shell = await fetch(`${t.url}/cases/anything`);
    expect(shell.status).toBe(200);
    expect(shell.headers.get('content-type')).toMatch(/text\/html/);
    const html = await shell.text();
    expect(html).toContain('/_app/immutable/');
    expect(html).toMatch(/http-equiv="content-security-policy" content="[^"]*script-src 'self' 'sha256-/);
    const api = await fetch(`${t.url}/api/nope`);
    expect(api.status).toBe(404);
    expect(((await api.json()) as { code: string }).code).toBe('TARKA_NOT_FOUND');
    expect((await fetch(`${t.url}/_app/immutable/nope.js`)).status).toBe(404);
    expect((await fetch(`${t.url}/alerts`)).status).toBe(404);
    expect((await fetch(`${t.url}/robots.txt`)).status).toBe(404);
    const bundle = /\/_app\/immutable\/[^"]+\.js/.exec(html)![0];
    const js = await fetch(`${t.url}${bundle}`, { headers: { 'accept-encoding': 'gzip' } });
    expect(js.headers.get('cache-control')).toContain('immutable');
    expect(js.headers.get('content-encoding')).toBe('gzip');
    expect(shell.headers.get('cache-control')).toBe('no-cache');
    const settings = await getJson(`${t.url}/api/settings`);
    expect(settings).toEqual({ prometheusPublicUrl: 'http://prometheus.example:9090' });
  });
});
