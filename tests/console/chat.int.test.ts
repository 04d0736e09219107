import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { randomUUID } from 'node:crypto';
import { alertPayload, caseId, sampleReport } from './fixtures.js';
import {
  ensureConsoleBuilt,
  launchChromium,
  requestedInvestigation,
  startConsoleApp,
  type ConsoleApp,
  startChatAnswerer,
} from './harness.js';
import type { ProjectorRunner } from '../../src/projections/engine/runner.js';

// The case chat in real Chromium: two people on the same case see each other's questions, the
// tool calls and the answers live, and hostile text stays text.

const HOSTILE = '<img src=x onerror="window.__pwned=1"> summary';

describe('case chat in Chromium', () => {
  let t: ConsoleApp;
  let browser: Browser;
  let answerer: ProjectorRunner;

  beforeAll(async () => {
    ensureConsoleBuilt();
    [t, browser] = await Promise.all([startConsoleApp(), launchChromium()]);
    // The chat answerer (in the worker role in production) answers here on its own.
    answerer = startChatAnswerer(t.ctx);
    await t.postAlerts(
      alertPayload([
        {
          fingerprint: 'chat0001',
          labels: {
            alertname: 'KubePodCrashLooping',
            namespace: 'payments',
            pod: 'api-1',
            severity: 'critical',
          },
        },
      ]),
    );
    await t.caught();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await answerer?.stop();
    await t?.close();
  });

  async function open(): Promise<Page> {
    const context = await browser.newContext({ viewport: { width: 1300, height: 900 }, bypassCSP: true });
    const page = await context.newPage();
    await page.goto(`${t.url}/cases/${caseId('chat0001')}`);
    await page.locator('[data-live="live"]').waitFor();
    await page.getByRole('region', { name: 'Chat about this case' }).waitFor();
    return page;
  }

  const ask = async (page: Page, text: string) => {
    await page.getByLabel('Ask a question').fill(text);
    await page.getByRole('button', { name: 'Ask' }).click();
  };

  it("shows each browser the other's turns live, with the tool call and the answer", async () => {
    const [a, b] = await Promise.all([open(), open()]);
    await ask(a, 'what is going on?');
    // B never reloads: the question, its tool call and the answer arrive over the websocket.
    const turnB = b.locator('li.turn').filter({ hasText: 'what is going on?' });
    await turnB.locator('pre.answer').waitFor({ timeout: 20_000 });
    expect(await turnB.locator('pre.answer').innerText()).toContain('KubePodCrashLooping is firing');
    expect(await turnB.locator('.call .tool').allInnerTexts()).toEqual(['case_report']);
    await ask(b, 'have we seen this before?');
    const turnA = a.locator('li.turn').filter({ hasText: 'have we seen this before?' });
    await turnA.locator('pre.answer, p.problem').first().waitFor({ timeout: 20_000 });
    expect(await turnA.locator('.call .tool').allInnerTexts()).toEqual(['similar_cases']);
    await a.context().close();
    await b.context().close();
  }, 60_000);

  it("names each turn's author: two people signed in through the proxy see who asked what", async () => {
    const secret = 'proxy-shared-secret-0123456789';
    const p = await startConsoleApp({
      AUTH_MODE: 'proxy',
      AUTH_PROXY_SECRET: secret,
      AUTH_DEFAULT_ROLE: 'responder',
    });
    const runner = startChatAnswerer(p.ctx);
    try {
      await p.postAlerts(
        alertPayload([
          {
            fingerprint: 'chat0002',
            labels: { alertname: 'KubeJobFailed', namespace: 'batch', job_name: 'nightly' },
          },
        ]),
      );
      await p.caught();
      const as = async (email: string) => {
        const context = await browser.newContext({
          extraHTTPHeaders: { 'x-tarka-proxy-secret': secret, 'x-forwarded-email': email },
        });
        const page = await context.newPage();
        await page.goto(`${p.url}/cases/${caseId('chat0002')}`);
        await page.locator('[data-live="live"]').waitFor();
        await page.getByRole('region', { name: 'Chat about this case' }).waitFor();
        return page;
      };
      const [ana, bo] = await Promise.all([as('ana@example.com'), as('bo@example.com')]);
      await ask(ana, 'summary please');
      const seenByBo = bo.locator('li.turn').filter({ hasText: 'summary please' });
      await seenByBo.locator('pre.answer').waitFor({ timeout: 20_000 });
      expect(await seenByBo.locator('.author').innerText()).toBe('ana@example.com');
      await ask(bo, 'what changed?');
      const seenByAna = ana.locator('li.turn').filter({ hasText: 'what changed?' });
      await seenByAna.locator('pre.answer').waitFor({ timeout: 20_000 });
      expect(await seenByAna.locator('.author').innerText()).toBe('bo@example.com');
      await ana.context().close();
      await bo.context().close();
    } finally {
      await runner.stop();
      await p.close();
    }
  }, 90_000);

  it('links an answer to the evidence it cites, which the case page opens and shows', async () => {
    const id = caseId('chat0001');
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
        report: sampleReport(),
      },
      randomUUID(),
    );
    const page = await open();
    await ask(page, 'show the evidence behind hypothesis 1');
    const turn = page.locator('li.turn').filter({ hasText: 'hypothesis 1' });
    await turn.locator('pre.answer').waitFor({ timeout: 20_000 });
    const link = turn.locator('.citations a[href*="#evidence-prom-restarts"]');
    expect(await link.getAttribute('href')).toBe(`/cases/${id}#evidence-prom-restarts`);
    await link.click();
    await page.locator('#evidence-prom-restarts').waitFor({ state: 'visible' });
    await page.context().close();
  }, 60_000);

  it('answers inbox questions on the chat page, from the nav', async () => {
    const context = await browser.newContext({ viewport: { width: 1300, height: 900 } });
    const page = await context.newPage();
    await page.goto(t.url);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Chat' }).click();
    await page.getByRole('region', { name: 'Inbox chat' }).waitFor();
    await page.locator('[data-live="live"]').waitFor();
    await ask(page, 'how many cases are there?');
    const turn = page.locator('li.turn').filter({ hasText: 'how many cases are there?' });
    await turn.locator('pre.answer').waitFor({ timeout: 20_000 });
    expect(await turn.locator('pre.answer').innerText()).toMatch(/^1 cases: 1 firing\./);
    expect(await turn.locator('.call .tool').allInnerTexts()).toEqual(['inbox_counts']);
    await context.close();
  }, 60_000);

  it('shows hostile questions as text, never as markup', async () => {
    const page = await open();
    await ask(page, HOSTILE);
    const turn = page.locator('li.turn').filter({ hasText: 'onerror' });
    await turn.locator('pre.answer').waitFor({ timeout: 20_000 });
    expect(await turn.locator('.question .text').innerText()).toBe(HOSTILE);
    expect(await turn.locator('img').count()).toBe(0);
    expect(
      await page.evaluate(() => (globalThis as unknown as { __pwned?: number }).__pwned),
    ).toBeUndefined();
    await page.context().close();
  }, 60_000);
});
