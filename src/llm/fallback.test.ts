import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../shared/config.js';
import { startFakeOpenAi, type FakeLlm } from '../testkit/fake-llm/index.js';
import { enrich } from './enrich.js';
import { llmFromConfig } from './setup.js';
import { makeAlert, run } from '../testkit/analysis/scenario.js';

// LLM_FALLBACK from the configuration: a main model that is down gives way to the next one; a
// main model that answered badly does not (another would be asked the same).

let main: FakeLlm;
beforeAll(async () => {
  main = await startFakeOpenAi();
});
afterAll(() => main.close());

const report = () =>
  run(makeAlert({ alertname: 'KubePodCrashLooping', namespace: 'a', pod: 'p-1' }), () => ({})).report;
const setup = () =>
  llmFromConfig(
    loadConfig({
      LLM_ENABLED: 'true',
      LLM_PROVIDER: 'openai_compatible',
      LLM_MODEL: 'main-model',
      LLM_BASE_URL: main.baseUrl,
      LLM_MAX_RETRIES: '0',
      LLM_FALLBACK: 'openai_compatible:spare-model',
      LLM_PRICES: '{"openai_compatible:*":{"input":0,"output":0}}',
    }),
  )!;

describe('LLM_FALLBACK', () => {
  it('is off without LLM_ENABLED', () => {
    expect(llmFromConfig(loadConfig({}))).toBeNull();
  });

  it('answers from the fallback when the main model is down, and says so', async () => {
    const r = report();
    const id = r.evidence[0]!.id;
    const answer = {
      summary: { text: 's', evidence: [id] },
      likelyRootCause: { text: 'r', evidence: [id] },
      nextSteps: [],
      unknowns: [],
    };
    main.script({ fault: { status: 503 } });
    // Same provider: the fallback shares its base URL, so the spare answers on the main's server.
    main.script({ text: answer, usage: { input: 100, output: 10 } });
    const llm = setup();
    const out = await enrich('inv-f', r, { model: llm.model, redactPii: true, prices: llm.prices });
    expect(out.error).toBeNull();
    expect(out.model).toBe('spare-model');
    expect(out.note).toBe('answered by the fallback openai_compatible:spare-model');
    expect(out.usage).toEqual({ inputTokens: 100, outputTokens: 10, costUsd: 0 });
    expect((main.requests.at(-1)!.body as { model: string }).model).toBe('spare-model');
  });

  it('does not try the fallback after an invalid answer', async () => {
    main.script({ text: 'not json' });
    const before = main.requests.length;
    const llm = setup();
    const out = await enrich('inv-g', report(), { model: llm.model, redactPii: true, prices: llm.prices });
    expect(out.error?.code).toBe('TARKA_LLM_INVALID_OUTPUT');
    expect(main.requests.length - before).toBe(1);
  });
});
