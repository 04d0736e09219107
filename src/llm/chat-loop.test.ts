import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  startFakeAnthropic,
  startFakeGemini,
  startFakeOpenAi,
  type FakeLlm,
} from '../testkit/fake-llm/index.js';
import { aiSdkModel } from './ai-sdk-model.js';
import { runChatTurn } from './chat-loop.js';
import { injectionCorpus } from './injection-corpus.js';
import { defineTool, type ProviderName } from './model.js';
import { defaultPrices } from './prices.js';
import { newFence } from './prompt.js';
import { redactionCorpus } from './redaction-corpus.js';

// A chat turn with a dummy tool against each fake provider: tool calling, streaming with PII put
// back, bounds with the best answer so far, and nothing secret in what the provider received.

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

const modelFor = (p: (typeof providers)[number]) =>
  aiSdkModel({
    provider: p.provider as ProviderName,
    model: p.model,
    baseUrl: fakes[p.fake].baseUrl,
    apiKey: 'fake-key',
    timeoutMs: 5000,
    maxTokens: 800,
    temperature: 0,
    maxRetries: 0,
  });

/** A dummy tool whose answer carries log lines full of secrets, PII and injections. */
const seen: unknown[] = [];
const logsTool = defineTool({
  name: 'search_logs',
  description: 'Searches the logs of a pod',
  inputSchema: z.object({ pod: z.string(), host: z.string().optional() }),
  run: async (input: { pod: string; host?: string }) => {
    seen.push(input);
    return {
      result: { lines: [...redactionCorpus.map((c) => c.text), ...injectionCorpus] },
      citations: [`logs:${input.pod}`],
    };
  },
});

describe.each(providers)('chat turn with $provider', (p) => {
  it('calls the tool, streams the answer with PII put back, and leaks nothing', async () => {
    const fake = fakes[p.fake];
    const before = fake.requests.length;
    seen.length = 0;
    fake.script(
      // The model uses the placeholder it was given; the tool must get the real address.
      {
        toolCalls: [{ name: 'search_logs', args: { pod: 'api-1', host: '[[ip_1]]' } }],
        usage: { input: 400, output: 20 },
      },
      {
        text: 'api-1 on [[ip_1]] fails to log in as [[email_1]] (logs:api-1).',
        usage: { input: 900, output: 30 },
      },
    );
    const tokens: string[] = [];
    const calls: unknown[] = [];
    const out = await runChatTurn(
      {
        context: 'case KubePodCrashLooping, pod api-1 on node 10.0.0.7',
        history: [{ role: 'user', text: 'earlier question from ops@example.com' }],
        question: 'why does api-1 crash? my token is ghp_R2d2C3poBb8WookieHanSolo1977LukeLeia42',
        tools: [logsTool],
        maxSteps: 4,
        maxToolCalls: 3,
        onToken: (t) => tokens.push(t),
        onToolCall: (c) => calls.push(c.name),
      },
      { model: modelFor(p), redactPii: true, prices: defaultPrices },
    );
    expect(out.error).toBeNull();
    expect(out.text).toBe('api-1 on 10.0.0.7 fails to log in as ops@example.com (logs:api-1).');
    expect(tokens.join('')).toBe(out.text);
    expect(seen).toEqual([{ pod: 'api-1', host: '10.0.0.7' }]);
    expect(calls).toEqual(['search_logs']);
    expect(out.citations).toEqual(['logs:api-1']);
    expect(out.usage).toMatchObject({ inputTokens: 1300, outputTokens: 50 });
    expect(out.usage.costUsd).toBeGreaterThan(0);
    expect(out.stoppedBy).toBe('answer');

    const sent = fake.requests.slice(before);
    expect(sent).toHaveLength(2);
    const all = sent.map((r) => r.raw).join('\n');
    for (const s of [
      ...redactionCorpus.flatMap((c) => [...c.secrets, ...(c.pii ?? [])]),
      'ghp_R2d2C3poBb8WookieHanSolo1977LukeLeia42',
      '10.0.0.7',
      'ops@example.com',
    ])
      expect(all, s).not.toContain(s);
  });

  it('stops at the step bound and still answers with the best it has', async () => {
    const fake = fakes[p.fake];
    const before = fake.requests.length;
    const again = { toolCalls: [{ name: 'search_logs', args: { pod: 'api-2' } }] };
    fake.script(again, again, { text: 'Best so far: api-2 logs show login failures.' });
    const out = await runChatTurn(
      { context: 'c', history: [], question: 'dig deep', tools: [logsTool], maxSteps: 2, maxToolCalls: 5 },
      { model: modelFor(p), redactPii: true, prices: defaultPrices },
    );
    expect(out.stoppedBy).toBe('limit');
    expect(out.text).toBe('Best so far: api-2 logs show login failures.');
    expect(out.toolCalls).toHaveLength(2);
    expect(fake.requests.length - before).toBe(3);
  });
});

describe('chat turn bounds and failures', () => {
  it('refuses tool calls past the bound without running them', async () => {
    const fake = fakes.openai;
    seen.length = 0;
    fake.script(
      {
        toolCalls: [
          { name: 'search_logs', args: { pod: 'a' } },
          { name: 'search_logs', args: { pod: 'b' } },
        ],
      },
      { text: 'done' },
    );
    const out = await runChatTurn(
      { context: 'c', history: [], question: 'q', tools: [logsTool], maxSteps: 3, maxToolCalls: 1 },
      { model: modelFor(providers[0]), redactPii: false, prices: defaultPrices },
    );
    expect(seen).toHaveLength(1);
    expect(out.stoppedBy).toBe('limit');
    expect(out.text).toBe('done');
  });

  it('keeps the fenced context and tool results as data', async () => {
    const fake = fakes.openai;
    const before = fake.requests.length;
    fake.script({ toolCalls: [{ name: 'search_logs', args: { pod: 'a' } }] }, { text: 'ok' });
    const fence = newFence('0123456789abcdef');
    await runChatTurn(
      {
        context: injectionCorpus[1]!,
        history: [],
        question: 'q',
        tools: [logsTool],
        maxSteps: 3,
        maxToolCalls: 2,
      },
      { model: modelFor(providers[0]), redactPii: false, prices: defaultPrices, fence },
    );
    const [first, second] = fake.requests.slice(before).map((r) => r.raw);
    // The context sits between the fence's open and close tags (JSON-escaped newlines around them),
    // and its fake closing tag is defused.
    const open = first!.indexOf(`${fence.open}\\n`);
    const close = first!.indexOf(`\\n${fence.close}`);
    const at = first!.indexOf('classify this alert as noisy');
    expect(open).toBeGreaterThan(0);
    expect(at).toBeGreaterThan(open);
    expect(close).toBeGreaterThan(at);
    expect(first).not.toContain('</untrusted-data>');
    // The tool result went back inside a fence too.
    expect(second!.split(fence.open).length).toBeGreaterThan(2);
  });

  it('provider failure: an error code, no throw, chat can fall back to its deterministic answer', async () => {
    fakes.openai.script({ fault: { status: 500 } });
    const out = await runChatTurn(
      { context: 'c', history: [], question: 'q', tools: [], maxSteps: 2, maxToolCalls: 1 },
      { model: modelFor(providers[0]), redactPii: false, prices: defaultPrices },
    );
    expect(out.error?.code).toBe('TARKA_LLM_UNAVAILABLE');
    expect(out.stoppedBy).toBe('error');
  });
});
