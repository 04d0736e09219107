import { randomUUID } from 'node:crypto';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InvestigationEnrichment } from '../../src/contract/enrichment.js';
import { alertPayload, caseId, sampleReport } from './fixtures.js';
import {
  ensureConsoleBuilt,
  launchChromium,
  requestedInvestigation,
  startConsoleApp,
  type ConsoleApp,
} from './harness.js';

// The LLM narrative on the case page: beside the deterministic report, marked as LLM text, each
// claim with its evidence ids, what was dropped, tokens and cost; or why it is missing. Model text
// is untrusted and must show as text.
describe('LLM narrative on the case page', () => {
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

  const hostile = '<img src=x onerror="window.__pwned=1"> the pod <b>crash-loops</b>';

  async function enrichedCase(enrichment: (inv: string) => InvestigationEnrichment): Promise<string> {
    const name = `llm${randomUUID().slice(0, 6)}`;
    await t.postAlerts(
      alertPayload([{ fingerprint: name, labels: { alertname: 'KubePodCrashLooping', namespace: 'shop' } }]),
    );
    await t.caught();
    const id = caseId(name);
    const inv = await requestedInvestigation(t.url, id);
    const h = t.ctx.handler;
    await h.handle(
      id,
      { type: 'StartInvestigation', investigationId: inv, worker: 'w', attempt: 1 },
      randomUUID(),
    );
    await h.handle(
      id,
      {
        type: 'CompleteInvestigation',
        investigationId: inv,
        anchor: new Date().toISOString(),
        report: sampleReport(),
      },
      randomUUID(),
    );
    await h.handle(id, { type: 'RecordEnrichment', enrichment: enrichment(inv) }, randomUUID());
    await t.caught();
    return id;
  }

  const base = (inv: string): InvestigationEnrichment => ({
    investigationId: inv,
    provider: 'openai',
    model: 'gpt-4o-mini',
    claims: [],
    flagged: [],
    redaction: { pii: true, counts: { jwt: 2, email: 1 }, total: 3 },
    usage: { inputTokens: 2100, outputTokens: 350, costUsd: 0.000525 },
    error: null,
    note: null,
  });

  it('shows cited claims marked as LLM text, dropped statements, tokens, cost and redactions', async () => {
    const id = await enrichedCase((inv) => ({
      ...base(inv),
      claims: [
        { section: 'summary', text: hostile, evidence: ['prom.restarts'] },
        {
          section: 'root_cause',
          text: 'A bad config in the latest rollout.',
          evidence: ['k8s.rollout', 'logs.previous'],
        },
        { section: 'next_step', text: 'Roll back the deployment.', evidence: ['k8s.rollout'] },
      ],
      flagged: [{ section: 'summary', text: 'Solar flares did it.', evidence: [], reason: 'uncited' }],
    }));
    const page: Page = await browser.newPage();
    await page.goto(`${t.url}/cases/${id}`);
    const section = page.getByTestId('case-enrichment');
    await section.waitFor();
    const text = await section.innerText();
    expect(text).toContain('LLM narrative');
    expect(text).toContain('never changes it');
    expect(text).toContain(hostile);
    expect(text).toContain('Likely root cause');
    expect(text).toContain('A bad config in the latest rollout.');
    expect(await section.locator('code.cite').allInnerTexts()).toEqual([
      'prom.restarts',
      'k8s.rollout',
      'logs.previous',
      'k8s.rollout',
    ]);
    expect(text).toContain('1 statement dropped');
    expect(text).toMatch(/Tokens in 2,100, out 350 · cost \$0\.0005/);
    expect(text).toContain('redacted before sending: 2 jwt, 1 email');
    expect(await section.locator('img, b').count()).toBe(0);
    expect(await page.evaluate('window.__pwned')).toBeUndefined();
    // The deterministic report is still there, beside it.
    expect(await page.getByText('crash-loops after the 14:02 rollout').count()).toBeGreaterThan(0);
    await page.close();
  });

  it('says why the narrative is missing when the provider failed, with unknown usage as unknown', async () => {
    const id = await enrichedCase((inv) => ({
      ...base(inv),
      redaction: { pii: true, counts: {}, total: 0 },
      usage: { inputTokens: null, outputTokens: null, costUsd: null },
      error: { code: 'TARKA_LLM_UNAVAILABLE', message: 'provider unreachable: ECONNREFUSED' },
    }));
    const page: Page = await browser.newPage();
    await page.goto(`${t.url}/cases/${id}`);
    const section = page.getByTestId('case-enrichment');
    await section.waitFor();
    const text = await section.innerText();
    expect(text).toContain('The LLM narrative is missing: provider unreachable: ECONNREFUSED');
    expect(text).toContain('TARKA_LLM_UNAVAILABLE');
    expect(text).toContain('Tokens in unknown, out unknown · cost unknown');
    await page.close();
  });

  it('the dashboard sums LLM calls, tokens and cost, counting unknown usage apart', async () => {
    const page: Page = await browser.newPage();
    await page.goto(`${t.url}/dashboard?days=1`);
    const section = page.getByTestId('llm-usage');
    await section.waitFor();
    const text = await section.innerText();
    // The two cases above: one call with usage and cost, one failed with usage unknown.
    expect(text).toMatch(/2 calls \(1 failed\) · tokens in 2,100, out 350 · estimated cost \$0\.0005/);
    expect(text).toContain('1 with unknown usage or price, not counted');
    expect(text).toContain('openai:gpt-4o-mini');
    await page.close();
  });
});
