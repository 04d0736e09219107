import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { alertPayload, caseId } from './fixtures.js';
import {
  ensureConsoleBuilt,
  launchChromium,
  startConsoleApp,
  type ConsoleApp,
  startChatAnswerer,
} from './harness.js';
import type { ProjectorRunner } from '../../src/projections/engine/runner.js';
import { startFakeOpenAi, type FakeLlm } from '../../src/testkit/fake-llm/index.js';

// Chat with an LLM in real Chromium: the model's tool call shows as it runs, its answer text
// appears while it streams (before the answer event lands), then the answer with who answered and
// what it cost. The model's text is untrusted and stays text.

const ANSWER =
  'The pods of api in payments restart after each start <img src=x onerror="window.__pwned=1"> and no report exists yet.';

describe('chat with an LLM in Chromium', () => {
  let t: ConsoleApp;
  let browser: Browser;
  let fake: FakeLlm;
  let answerer: ProjectorRunner;

  beforeAll(async () => {
    ensureConsoleBuilt();
    [t, browser, fake] = await Promise.all([startConsoleApp(), launchChromium(), startFakeOpenAi()]);
    answerer = startChatAnswerer(t.ctx, {
      LLM_ENABLED: true,
      LLM_PROVIDER: 'openai',
      LLM_MODEL: 'gpt-4o-mini',
      LLM_BASE_URL: fake.baseUrl,
      LLM_API_KEY: 'fake-provider-key',
    });
    await t.postAlerts(
      alertPayload([
        {
          fingerprint: 'llmchat1',
          labels: { alertname: 'KubePodCrashLooping', namespace: 'payments', pod: 'api-1' },
        },
      ]),
    );
    await t.caught();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await answerer?.stop();
    await fake?.close();
    await t?.close();
  });

  it('streams the answer into the thread, then shows it with the model and its cost', async () => {
    fake.script(
      {
        toolCalls: [{ name: 'case_report', args: { section: 'summary' } }],
        usage: { input: 800, output: 20 },
      },
      // 8 characters every 120 ms: the whole answer takes about 2 s to stream.
      { text: ANSWER, usage: { input: 1200, output: 50 }, chunkDelayMs: 120 },
    );
    const context = await browser.newContext({ viewport: { width: 1300, height: 900 }, bypassCSP: true });
    const page = await context.newPage();
    await page.goto(`${t.url}/cases/${caseId('llmchat1')}`);
    await page.locator('[data-live="live"]').waitFor();
    await page.getByLabel('Ask a question').fill('why does it keep restarting?');
    await page.getByRole('button', { name: 'Ask' }).click();

    const turn = page.locator('li.turn').filter({ hasText: 'why does it keep restarting?' });
    // Part of the text is on the page while the model is still writing.
    const streaming = turn.locator('pre.answer.streaming');
    await streaming.waitFor({ timeout: 15_000 });
    const partial = await streaming.innerText();
    expect(partial.length).toBeGreaterThan(0);
    expect(ANSWER.startsWith(partial)).toBe(true);
    expect(partial.length).toBeLessThan(ANSWER.length);

    const answer = turn.locator('pre.answer[data-intent="llm"]');
    await answer.waitFor({ timeout: 15_000 });
    expect(await answer.innerText()).toBe(ANSWER);
    expect(await turn.locator('.call .tool').allInnerTexts()).toEqual(['case_report']);
    expect(await turn.locator('.llm-by').innerText()).toMatch(
      /^Answered by openai gpt-4o-mini · 2070 tokens · \$0\.\d{4}/,
    );
    expect(await turn.locator('pre.answer img').count()).toBe(0);
    expect(await page.evaluate('window.__pwned')).toBeUndefined();
    await context.close();
  }, 60_000);
});
