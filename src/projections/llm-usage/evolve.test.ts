import { describe, expect, it } from 'vitest';
import type { Recorded } from '../../events/envelope.js';
import { usageRowOf } from './evolve.js';

// Which events are LLM calls, and what row each makes: unknown usage stays null.

const recorded = (type: string, data: unknown): Recorded =>
  ({
    id: `ev-${type}`,
    type,
    schema: 1,
    aggregate: 'case.c1',
    occurredAt: '2026-12-06T10:00:00.000Z',
    causationId: null,
    correlationId: null,
    data,
    seq: 7,
  }) as unknown as Recorded;

const call = {
  provider: 'anthropic',
  model: 'claude-haiku-4-5',
  usage: { inputTokens: null, outputTokens: null, costUsd: null },
  redaction: { pii: true, counts: {}, total: 0 },
  error: null,
  stoppedBy: 'answer',
};

describe('usageRowOf', () => {
  it('counts an enrichment, its error code as the outcome', () => {
    const row = usageRowOf(
      recorded('InvestigationEnriched', {
        investigationId: 'inv-1',
        ...call,
        claims: [],
        flagged: [],
        usage: { inputTokens: 5, outputTokens: 1, costUsd: 0.001 },
        error: { code: 'TARKA_LLM_TRUNCATED', message: 'cut' },
        note: null,
      }),
    );
    expect(row).toMatchObject({
      site: 'enrichment',
      case_id: 'c1',
      subject_id: 'inv-1',
      day: '2026-12-06',
      outcome: 'TARKA_LLM_TRUNCATED',
      input_tokens: 5,
      cost_usd: 0.001,
    });
  });

  it('counts a chat event carrying an llm call per turn, unknown usage as null', () => {
    const row = usageRowOf(recorded('ChatAnswerPosted', { turnId: 't-9', text: 'x', llm: call }));
    expect(row).toMatchObject({
      site: 'chat',
      subject_id: 't-9',
      outcome: 'ok',
      input_tokens: null,
      cost_usd: null,
    });
  });

  it('ignores other events and malformed call records', () => {
    expect(usageRowOf(recorded('CaseSnoozed', { until: 'x' }))).toBeNull();
    expect(usageRowOf(recorded('ChatAnswerPosted', { turnId: 't', llm: { provider: 1 } }))).toBeNull();
  });
});
