import { randomUUID } from 'node:crypto';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MemorySection } from '../../src/contract/report.js';
import { alertPayload, caseId, sampleReport } from './fixtures.js';
import {
  ensureConsoleBuilt,
  launchChromium,
  requestedInvestigation,
  startConsoleApp,
  type ConsoleApp,
} from './harness.js';

// The case page shows the report's similar past incidents: why each matches and how it ended,
// with the resolution note people wrote shown as text.
describe('case memory on the case page', () => {
  let t: ConsoleApp;
  let browser: Browser;

  beforeAll(async () => {
    ensureConsoleBuilt();
    [t, browser] = await Promise.all([startConsoleApp(), launchChromium()]);
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  const hostile = '<img src=x onerror="window.__pwned=1"> rolled back <b>4.2</b> [x](javascript:alert(1))';
  const memory: MemorySection = {
    status: 'ok',
    reason: null,
    matches: [
      {
        caseId: 'earlier01',
        episode: 3,
        alertname: 'KubePodCrashLooping',
        target: 'Deployment shop/checkout',
        cluster: 'eu-1',
        namespace: 'shop',
        family: 'crashloop',
        startedAt: '2026-10-01T10:00:00.000Z',
        summary: 'Crash loop on Deployment shop/checkout',
        score: 70,
        features: [
          { feature: 'same_workload', weight: 30, points: 30, detail: 'same workload shop/checkout' },
          {
            feature: 'same_log_signature',
            weight: 15,
            points: 15,
            detail: 'same log signature: missing_config',
          },
        ],
        resolution: {
          category: 'fixed',
          note: hostile,
          by: 'ana@example.com',
          closedAt: '2026-10-01T10:42:00.000Z',
          minutesToResolve: 42,
          firedAgain: true,
          firedAgainAt: '2026-10-03T08:00:00.000Z',
        },
      },
    ],
  };

  it('lists similar past incidents with why they match and the resolution note as text', async () => {
    const name = `mem${randomUUID().slice(0, 6)}`;
    await t.postAlerts(
      alertPayload([{ fingerprint: name, labels: { alertname: 'KubePodCrashLooping', namespace: 'shop' } }]),
    );
    await t.caught();
    const id = caseId(name);
    const inv = await requestedInvestigation(t.url, id);
    await t.ctx.handler.handle(
      id,
      { type: 'StartInvestigation', investigationId: inv, worker: 'w', attempt: 1 },
      randomUUID(),
    );
    await t.ctx.handler.handle(
      id,
      {
        type: 'CompleteInvestigation',
        investigationId: inv,
        anchor: new Date().toISOString(),
        report: { ...sampleReport(), memory },
      },
      randomUUID(),
    );
    await t.caught();
    const page: Page = await browser.newPage();
    await page.goto(`${t.url}/cases/${id}`);
    const section = page.getByTestId('case-memory');
    await section.waitFor();
    await section.getByText('same workload shop/checkout').waitFor();
    expect(await section.locator('li.match').count()).toBe(1);
    const text = await section.innerText();
    expect(text).toContain('Similar past incidents');
    expect(text).toContain('+30/30');
    expect(text).toContain('Closed as fixed by ana@example.com after 42 min.');
    expect(text).toContain('Fired again');
    expect(text).toContain(hostile);
    expect(await section.locator('a[href="/cases/earlier01"]').count()).toBe(1);
    expect(await section.locator('img, b, a[href^="javascript" i]').count()).toBe(0);
    expect(await page.evaluate('window.__pwned')).toBeUndefined();
    await page.close();
  });
});
