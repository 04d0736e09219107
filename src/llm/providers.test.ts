import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  startFakeAnthropic,
  startFakeGemini,
  startFakeOpenAi,
  type FakeLlm,
} from '../testkit/fake-llm/index.js';
import { aiSdkModel } from './ai-sdk-model.js';
import { defineTool, type ProviderName } from './model.js';
import type { ModelSpec } from './providers.js';

// Each provider library against a fake server speaking that provider's wire protocol: structured
// output, streamed tool-calling chat, usage, and the failures mapped to stable codes.

const fakes: Record<'openai' | 'anthropic' | 'gemini', FakeLlm> = {} as never;
beforeAll(async () => {
  fakes.openai = await startFakeOpenAi();
  fakes.anthropic = await startFakeAnthropic();
  fakes.gemini = await startFakeGemini();
});
afterAll(async () => {
  await Promise.all(Object.values(fakes).map((f) => f.close()));
});

const base = {
  timeoutMs: 5000,
  maxTokens: 500,
  temperature: 0,
  maxRetries: 1,
  apiKey: 'test-key-not-secret',
};
const providers: { provider: ProviderName; fake: keyof typeof fakes; spec?: Partial<ModelSpec> }[] = [
  { provider: 'openai', fake: 'openai' },
  { provider: 'openai_compatible', fake: 'openai' },
  { provider: 'azure', fake: 'openai', spec: { azureApiVersion: 'v1' } },
  { provider: 'anthropic', fake: 'anthropic' },
  { provider: 'google', fake: 'gemini' },
  { provider: 'vertex', fake: 'gemini', spec: { vertexProject: 'p' } },
];
const specFor = (p: (typeof providers)[number], extra: Partial<ModelSpec> = {}): ModelSpec => ({
  ...base,
  provider: p.provider,
  model: 'm-1',
  baseUrl: fakes[p.fake].baseUrl,
  ...p.spec,
  ...extra,
});

const schema = z.object({ summary: z.string(), n: z.number() });

describe.each(providers)('$provider over its wire protocol', (p) => {
  it('returns a schema-checked object with the usage the provider reported', async () => {
    const fake = fakes[p.fake];
    fake.script({ text: { summary: 'disk full', n: 3 }, usage: { input: 120, output: 30 } });
    const before = fake.requests.length;
    const out = await aiSdkModel(specFor(p)).generateObject({
      system: 'sys',
      prompt: 'hello',
      schema,
      schemaName: 'Thing',
    });
    expect(out.object).toEqual({ summary: 'disk full', n: 3 });
    expect(out.usage).toEqual({ inputTokens: 120, outputTokens: 30 });
    expect(fake.requests.length).toBe(before + 1);
    expect(fake.requests.at(-1)!.raw).toContain('hello');
  });

  // Anthropic's protocol always carries usage; the others may leave it out.
  it.skipIf(p.provider === 'anthropic')(
    'keeps usage unknown when the provider does not report it',
    async () => {
      fakes[p.fake].script({ text: { summary: 'x', n: 1 }, usage: null });
      const out = await aiSdkModel(specFor(p)).generateObject({
        system: 's',
        prompt: 'p',
        schema,
        schemaName: 'T',
      });
      expect(out.usage.inputTokens).toBeNull();
      expect(out.usage.outputTokens).toBeNull();
    },
  );

  it('streams a tool-calling chat turn: the tool runs, tokens arrive, the answer comes back', async () => {
    const fake = fakes[p.fake];
    fake.script(
      { toolCalls: [{ name: 'lookup', args: { q: 'pods' } }], usage: { input: 50, output: 5 } },
      { text: 'Three pods restarted, see ev-1.', usage: { input: 80, output: 9 } },
    );
    const tokens: string[] = [];
    const seen: unknown[] = [];
    const out = await aiSdkModel(specFor(p)).chat({
      system: 'sys',
      messages: [{ role: 'user', text: 'what restarted?' }],
      tools: [
        defineTool({
          name: 'lookup',
          description: 'looks things up',
          inputSchema: z.object({ q: z.string() }),
          run: async (input: { q: string }) => ({ result: { found: `3 ${input.q}` }, citations: ['ev-1'] }),
        }),
      ],
      maxSteps: 4,
      maxToolCalls: 3,
      onToken: (t) => tokens.push(t),
      onToolCall: (c) => seen.push(c.input),
    });
    expect(out.text).toBe('Three pods restarted, see ev-1.');
    expect(tokens.length).toBeGreaterThan(1);
    expect(tokens.join('')).toBe(out.text);
    expect(seen).toEqual([{ q: 'pods' }]);
    expect(out.toolCalls[0]).toMatchObject({ name: 'lookup', citations: ['ev-1'], error: null });
    expect(out.usage).toEqual({ inputTokens: 130, outputTokens: 14 });
    expect(out.stoppedBy).toBe('answer');
    // The tool's result went back to the provider in the second request.
    expect(fake.requests.at(-1)!.raw).toContain('3 pods');
  });
});

describe.each([
  { provider: 'openai', fake: 'openai' },
  { provider: 'anthropic', fake: 'anthropic' },
  { provider: 'google', fake: 'gemini' },
] as const)('$provider failures become stable codes, with bounded retries', (p) => {
  const call = (extra: Partial<ModelSpec> = {}) =>
    aiSdkModel(specFor(p, extra)).generateObject({ system: 's', prompt: 'p', schema, schemaName: 'T' });
  const codeOf = (e: unknown) => (e as { code?: string }).code;

  it('provider down: TARKA_LLM_UNAVAILABLE', async () => {
    const gone = await (p.fake === 'openai'
      ? startFakeOpenAi()
      : p.fake === 'anthropic'
        ? startFakeAnthropic()
        : startFakeGemini());
    const url = gone.baseUrl;
    await gone.close();
    const err = await call({ baseUrl: url, maxRetries: 0 }).catch((e: unknown) => e);
    expect(codeOf(err)).toBe('TARKA_LLM_UNAVAILABLE');
  });

  it('provider slow: TARKA_LLM_TIMEOUT within the deadline', async () => {
    fakes[p.fake].script({ fault: { hangMs: 3000 } });
    const t0 = Date.now();
    const err = await call({ timeoutMs: 300 }).catch((e: unknown) => e);
    expect(codeOf(err)).toBe('TARKA_LLM_TIMEOUT');
    expect(Date.now() - t0).toBeLessThan(2000);
  });

  it('429 with Retry-After: retried LLM_MAX_RETRIES times, then TARKA_LLM_RATE_LIMITED', async () => {
    const fake = fakes[p.fake];
    const limited = { fault: { status: 429, retryAfterSeconds: 0 } };
    fake.script(limited, limited);
    const before = fake.requests.length;
    const err = await call({ maxRetries: 1 }).catch((e: unknown) => e);
    expect(codeOf(err)).toBe('TARKA_LLM_RATE_LIMITED');
    expect(fake.requests.length - before).toBe(2);
  });

  it('5xx: retried a bounded number of times, then TARKA_LLM_UNAVAILABLE', async () => {
    const fake = fakes[p.fake];
    fake.script({ fault: { status: 503 } }, { fault: { status: 503 } });
    const before = fake.requests.length;
    const err = await call({ maxRetries: 1 }).catch((e: unknown) => e);
    expect(codeOf(err)).toBe('TARKA_LLM_UNAVAILABLE');
    expect(fake.requests.length - before).toBe(2);
  });

  it('an answer that is not JSON: TARKA_LLM_INVALID_OUTPUT', async () => {
    fakes[p.fake].script({ text: 'Sure! The root cause is clearly DNS.' });
    expect(codeOf(await call().catch((e: unknown) => e))).toBe('TARKA_LLM_INVALID_OUTPUT');
  });

  it('an answer cut off at the token limit: TARKA_LLM_TRUNCATED', async () => {
    fakes[p.fake].script({ text: '{"summary":"disk fu', truncated: true });
    expect(codeOf(await call().catch((e: unknown) => e))).toBe('TARKA_LLM_TRUNCATED');
  });
});
