import { describe, expect, it } from 'vitest';
import { createCollectors } from '../collectors/run.js';
import { MemoryEventStore } from '../events/memory-event-store.js';
import { composeAnswer, type Turn } from './engine.js';
import type { CallRecorder } from './run-tool.js';
import type { ToolDeps } from './types.js';
import type { LlmCall } from '../contract/enrichment.js';

// The deterministic engine with and without a model: a model answers with the same tools (and the
// same recorded calls); a model that gives up or fails leaves the question to the intents.

function setup(model?: ToolDeps['model']) {
  const calls: string[] = [];
  const recorder: CallRecorder = {
    started: async (c) => void calls.push(`start ${c.callId} ${c.tool} ${c.request}`),
    finished: async (c) => void calls.push(`finish ${c.callId} ${c.tool} ${c.output.status}`),
  };
  const deps = {
    store: new MemoryEventStore(),
    // No Prometheus configured: the query tool answers "unavailable", as it would in production.
    collectors: createCollectors({ kube: null }),
    limits: {
      maxCallsPerTurn: 2,
      turnTimeoutMs: 5000,
      disabledTools: [],
      clustersAllow: [],
      namespaces: { allow: [], deny: [] },
      maxSeries: 20,
      maxLogLines: 20,
      maxRangeMs: 3_600_000,
      maxRangeSteps: 100,
      maxResultBytes: 8000,
    },
    findSimilar: async () => [],
    now: () => new Date(),
    ...(model ? { model } : {}),
  } as unknown as ToolDeps;
  return { deps, calls, recorder };
}
const turn: Turn = {
  aggregate: 'chat.global-2026-12-06',
  turnId: 't',
  author: 'ana',
  text: 'run `up`',
  caseId: null,
};

const llmCall = (error: { code: string; message: string } | null): LlmCall => ({
  provider: 'openai',
  model: 'm',
  usage: { inputTokens: 10, outputTokens: 2, costUsd: 0.001 },
  redaction: { pii: true, counts: {}, total: 0 },
  error,
  stoppedBy: error ? 'error' : 'answer',
});

describe('chat engine', () => {
  it('answers from the intents without a model, citing the query it ran', async () => {
    const { deps, calls, recorder } = setup();
    const a = await composeAnswer(turn, deps, recorder);
    expect(a.intent).toBe('promql');
    expect(a.text).toMatch(/^I could not read the query up: .*not configured/i);
    expect(calls).toEqual(['start t-1 promql_query up', 'finish t-1 promql_query unavailable']);
  });

  it('lets a model answer with the same tools, recorded the same way', async () => {
    const { deps, calls, recorder } = setup(async ({ tools, scope }) => {
      const q = tools.find((t) => t.name === 'promql_query')!;
      const out = await q.run({ query: 'sum(up)' });
      return {
        text: `model (${scope}): ${JSON.stringify((out.result as { status: string }).status)}`,
        llm: llmCall(null),
      };
    });
    const a = await composeAnswer(turn, deps, recorder);
    expect(a).toMatchObject({ intent: 'llm', text: 'model (global): "unavailable"', llm: { model: 'm' } });
    // The query the model ran is cited, as the intents would cite it.
    expect(a.citations.map((c) => c.text)).toEqual(['sum(up)']);
    expect(calls).toEqual(['start t-1 promql_query sum(up)', 'finish t-1 promql_query unavailable']);
  });

  it('falls back to the intents when the model gives up or fails, saying why, with the next call ids', async () => {
    for (const model of [
      async ({ tools }: Parameters<NonNullable<ToolDeps['model']>>[0]) => {
        await tools.find((t) => t.name === 'promql_query')!.run({ query: 'a' });
        await tools.find((t) => t.name === 'promql_query')!.run({ query: 'b' });
        return { text: null, llm: llmCall({ code: 'TARKA_LLM_UNAVAILABLE', message: 'provider down' }) };
      },
      async () => {
        throw new Error('provider down');
      },
    ]) {
      const { deps, calls, recorder } = setup(model);
      const a = await composeAnswer(turn, deps, recorder);
      expect(a.intent).toBe('promql');
      expect(a.text).toMatch(
        /^\(The LLM.* could not answer: .*\. Tarka's own intents answered instead\.\)\n\nI could not read/,
      );
      expect(calls.at(-2)).toMatch(/^start t-\d promql_query up$/);
      expect(new Set(calls.filter((c) => c.startsWith('start')).map((c) => c.split(' ')[1])).size).toBe(
        calls.filter((c) => c.startsWith('start')).length,
      );
    }
  });
});
