import { randomUUID } from 'node:crypto';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CaseDetail } from '../../src/contract/views.js';
import { alertPayload, caseId, sampleReport } from './fixtures.js';
import {
  ensureConsoleBuilt,
  getJson,
  launchChromium,
  requestedInvestigation,
  startConsoleApp,
  type ConsoleApp,
} from './harness.js';

// The case page says which version of the report it shows and, after `tarka reanalyze` revised
// it, what changed (family, classification, top hypothesis). Report text stays text.
describe('report version on the case page', () => {
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

  const hostile = '<img src=x onerror="window.__pwned=1"> memory <b>limit</b> too low';

  it('shows version 1, then the revision and what it changed, live', async () => {
    const name = `rv${randomUUID().slice(0, 6)}`;
    await t.postAlerts(
      alertPayload([{ fingerprint: name, labels: { alertname: 'KubePodCrashLooping', namespace: 'shop' } }]),
    );
    await t.caught();
    const id = caseId(name);
    const inv = await requestedInvestigation(t.url, id);
    const anchor = new Date().toISOString();
    const h = t.ctx.handler;
    await h.handle(
      id,
      { type: 'StartInvestigation', investigationId: inv, worker: 'w', attempt: 1 },
      randomUUID(),
    );
    const v1 = sampleReport();
    await h.handle(
      id,
      { type: 'CompleteInvestigation', investigationId: inv, anchor, report: v1 },
      randomUUID(),
    );
    await t.caught();

    const page: Page = await browser.newPage();
    await page.goto(`${t.url}/cases/${id}`);
    const version = page.getByTestId('report-version');
    await expect.poll(() => version.innerText(), { timeout: 10_000 }).toBe('Report version 1');

    const v2 = {
      ...v1,
      family: 'memory_pressure',
      classification: 'noisy',
      hypotheses: [{ ...v1.hypotheses[0]!, title: hostile }],
    };
    await h.handle(
      id,
      {
        type: 'ReviseReport',
        investigationId: inv,
        anchor,
        version: 2,
        report: v2,
        reason: 'reanalyzed with the current analysis',
        tarkaVersion: '9.9.9',
        previous: {
          version: 1,
          family: 'oom_killed',
          classification: 'actionable',
          topHypothesis: v1.hypotheses[0]!.title,
        },
      },
      `revise:${inv}:v2`,
    );
    // The page follows the case's live frame and refetches: no reload.
    await expect
      .poll(() => version.innerText(), { timeout: 10_000 })
      .toContain('Report version 2, re-derived from the stored evidence');
    const text = await version.innerText();
    expect(text).toContain('by Tarka 9.9.9 (reanalyzed with the current analysis); it replaces version 1');
    expect(text).toContain('Family: oom_killed → memory_pressure');
    expect(text).toContain('Classification: actionable → noisy');
    expect(text).toContain(`Top hypothesis: ${v1.hypotheses[0]!.title} → ${hostile}`);
    expect(await version.locator('img, b').count()).toBe(0);
    // The case's history says so too.
    expect(await page.locator('li[data-type="ReportRevised"]').innerText()).toContain(
      'Report revised to version 2 (reanalyzed with the current analysis)',
    );
    expect(await page.evaluate('window.__pwned')).toBeUndefined();
    const detail = await getJson<CaseDetail>(`${t.url}/api/cases/${id}`);
    expect(detail.report).toMatchObject({ version: 2, report: { family: 'memory_pressure' } });
    await page.close();
  });
});
