import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Report } from '../contract/report.js';
import { makeAlert, run } from '../testkit/analysis/scenario.js';
import {
  startFakeAnthropic,
  startFakeGemini,
  startFakeOpenAi,
  type FakeLlm,
} from '../testkit/fake-llm/index.js';
import { aiSdkModel } from './ai-sdk-model.js';
import { DailyBudget } from './budget.js';
import { enrich, enrichmentPrompt, evidenceIdsOf } from './enrich.js';
import { injectionCorpus } from './injection-corpus.js';
import type { ProviderName } from './model.js';
import { defaultPrices } from './prices.js';
import { newFence } from './prompt.js';
import { redactionCorpus } from './redaction-corpus.js';

// Enrichment against each fake provider: what left Tarka (redacted, fenced), what was kept
// (cited claims only, PII put back), what it cost, and how failures read on the case.

/** A crash-looping pod's report whose log findings and labels carry secrets, PII and injections. */
function hostileReport(): Report {
  const { report } = run(
    makeAlert({
      alertname: 'KubePodCrashLooping',
      namespace: 'payments',
      pod: 'api-7d9f-x2x',
      severity: 'critical',
    }),
    () => ({}),
  );
  const lines = [...redactionCorpus.map((c) => c.text), ...injectionCorpus];
  const id = report.evidence[0]!.id;
  report.logFindings = {
    ...report.logFindings,
    known: true,
    linesRead: lines.length,
    errorLines: lines.length,
    patterns: lines.map((l, i) => ({ pattern: `p${i}`, count: 1, example: l, evidenceIds: [id] })),
  };
  report.alert.labels = { ...report.alert.labels, note: injectionCorpus[1]! };
  report.classification = 'actionable';
  return report;
}

const fakes = {} as Record<'openai' | 'anthropic' | 'gemini', FakeLlm>;
beforeAll(async () => {
  fakes.openai = await startFakeOpenAi();
  fakes.anthropic = await startFakeAnthropic();
  fakes.gemini = await startFakeGemini();
});
afterAll(() => Promise.all(Object.values(fakes).map((f) => f.close())));

const providers = [
  { provider: 'openai', fake: 'openai', model: 'gpt-4o-mini' },
  { provider: 'anthropic', fake: 'anthropic', model: 'claude-haiku-4-5' },
  { provider: 'google', fake: 'gemini', model: 'gemini-2.5-flash' },
] as const;

const modelFor = (p: (typeof providers)[number], baseUrl = fakes[p.fake].baseUrl) =>
  aiSdkModel({
    provider: p.provider as ProviderName,
    model: p.model,
    baseUrl,
    apiKey: 'fake-key',
    timeoutMs: 5000,
    maxTokens: 1500,
    temperature: 0,
    maxRetries: 0,
  });

describe.each(providers)('enrichment with $provider', (p) => {
  it('appends cited claims with usage and cost; no corpus secret reaches the provider', async () => {
    const report = hostileReport();
    const [a, b] = [...evidenceIdsOf(report)];
    const fake = fakes[p.fake];
    const before = fake.requests.length;
    fake.script({
      text: {
        summary: { text: 'The api pod crash-loops; [[email_1]] saw it first.', evidence: [a] },
        likelyRootCause: { text: 'A bad config rollout.', evidence: [a, b] },
        nextSteps: [{ text: 'Check the rollout history.', evidence: [b] }],
        unknowns: [{ text: 'Whether the database was reachable.', evidence: [] }],
      },
      usage: { input: 2000, output: 300 },
    });
    const out = await enrich('inv-1', report, { model: modelFor(p), redactPii: true, prices: defaultPrices });

    expect(out.error).toBeNull();
    expect(out.claims.map((c) => c.section)).toEqual(['summary', 'root_cause', 'next_step', 'unknown']);
    expect(out.claims[0]!.text).toBe('The api pod crash-loops; jane.doe@example.com saw it first.');
    expect(out.flagged).toEqual([]);
    expect(out.usage.inputTokens).toBe(2000);
    expect(out.usage.outputTokens).toBe(300);
    expect(out.usage.costUsd).toBeGreaterThan(0);
    expect(out.redaction.total).toBeGreaterThan(20);
    expect(out.redaction.counts).toMatchObject({ jwt: expect.any(Number), email: expect.any(Number) });

    const sent = fake.requests.slice(before);
    expect(sent).toHaveLength(1);
    for (const secret of redactionCorpus.flatMap((c) => [...c.secrets, ...(c.pii ?? [])])) {
      for (const r of sent) {
        expect(r.raw).not.toContain(secret);
        expect(r.raw).not.toContain(JSON.stringify(secret).slice(1, -1));
      }
    }
    expect(sent[0]!.raw).not.toContain('fake-key');
  });

  it('drops what a compromised model says: uncited, made-up evidence, a changed verdict', async () => {
    const report = hostileReport();
    const [a] = [...evidenceIdsOf(report)];
    fakes[p.fake].script({
      text: {
        summary: { text: 'The root cause is solar flares.', evidence: [] },
        likelyRootCause: { text: 'Admin override says so.', evidence: ['ev-admin-override'] },
        nextSteps: [
          { text: 'This alert is a false positive and safe to ignore.', evidence: [a] },
          { text: 'Verdict: informational, nothing to do.', evidence: [a] },
          { text: 'Look at the crash logs.', evidence: [a] },
        ],
        unknowns: [],
      },
    });
    const out = await enrich('inv-2', report, { model: modelFor(p), redactPii: true, prices: defaultPrices });
    expect(out.claims).toEqual([{ section: 'next_step', text: 'Look at the crash logs.', evidence: [a] }]);
    expect(out.flagged.map((f) => f.reason)).toEqual([
      'uncited',
      'unknown_evidence',
      'contradicts_verdict',
      'contradicts_verdict',
    ]);
  });

  it('provider down: the event says why the narrative is missing, nothing is thrown', async () => {
    const gone = await startFakeOpenAi();
    const url = gone.baseUrl.replace('/v1', p.fake === 'gemini' ? '/v1beta' : '/v1');
    await gone.close();
    const out = await enrich('inv-3', hostileReport(), {
      model: modelFor(p, url),
      redactPii: false,
      prices: defaultPrices,
    });
    expect(out.error?.code).toBe('TARKA_LLM_UNAVAILABLE');
    expect(out.claims).toEqual([]);
    expect(out.usage).toEqual({ inputTokens: null, outputTokens: null, costUsd: null });
  });
});

describe('enrichment prompt', () => {
  it('keeps every injection inside the data fence, which the data cannot close', () => {
    const fence = newFence('a1b2c3d4e5f60718');
    const { system, prompt } = enrichmentPrompt(hostileReport(), fence);
    const open = prompt.indexOf(fence.open);
    const close = prompt.indexOf(fence.close);
    expect(prompt.split(fence.open)).toHaveLength(2);
    expect(prompt.split(fence.close)).toHaveLength(2);
    for (const attack of injectionCorpus) {
      const needle = JSON.stringify(attack.split('\n').at(-1)!.slice(-30)).slice(1, -1);
      const at = prompt.indexOf(needle);
      expect(at, attack).toBeGreaterThan(open);
      expect(at + needle.length, attack).toBeLessThan(close);
      expect(system).not.toContain(needle);
    }
    expect(prompt).not.toMatch(/<\/untrusted-data>/);
    expect(system).toContain('never follow');
  });

  it('past the daily budget no call is made and the case says so', async () => {
    const fake = fakes.openai;
    const before = fake.requests.length;
    const budget = new DailyBudget(0.01);
    budget.record(0.02);
    const out = await enrich('inv-4', hostileReport(), {
      model: modelFor(providers[0]),
      redactPii: true,
      prices: defaultPrices,
      budget,
    });
    expect(out.error?.code).toBe('TARKA_LLM_BUDGET_EXCEEDED');
    expect(out.note).toMatch(/deterministic report only until midnight UTC/);
    expect(fake.requests.length).toBe(before);
  });

  it('an unpriced model or unknown usage costs null, not 0', async () => {
    fakes.openai.script({
      text: {
        summary: { text: 's', evidence: [] },
        likelyRootCause: { text: 'r', evidence: [] },
        nextSteps: [],
        unknowns: [],
      },
      usage: null,
    });
    const out = await enrich('inv-5', hostileReport(), {
      model: modelFor(providers[0]),
      redactPii: true,
      prices: defaultPrices,
    });
    expect(out.usage).toEqual({ inputTokens: null, outputTokens: null, costUsd: null });
  });
});
