import { describe, expect, it } from 'vitest';
import { appendStreamed, llmLine } from '../../console/src/lib/chat/merge.js';
import type { LlmCall } from '../../src/contract/enrichment.js';

describe('streamed answer text in the console', () => {
  it('appends chunks in order, trims overlaps, and waits out a gap', () => {
    let shown = appendStreamed('', 0, 'The pods ');
    shown = appendStreamed(shown, 9, 'restart');
    expect(shown).toBe('The pods restart');
    expect(appendStreamed(shown, 4, 'pods restart after')).toBe('The pods restart after');
    expect(appendStreamed(shown, 0, 'The')).toBe(shown); // already shown
    expect(appendStreamed(shown, 40, 'later')).toBe(shown); // a lost chunk: the answer will land whole
  });
});

describe('who answered a turn, in one line', () => {
  const call = (over: Partial<LlmCall>): LlmCall => ({
    provider: 'anthropic',
    model: 'claude-haiku-4-5',
    usage: { inputTokens: 1200, outputTokens: 80, costUsd: 0.0016 },
    redaction: { pii: true, counts: { aws_key: 2 }, total: 2 },
    error: null,
    stoppedBy: 'answer',
    ...over,
  });

  it('gives tokens, cost and redactions', () => {
    expect(llmLine(call({}))).toBe(
      'Answered by anthropic claude-haiku-4-5 · 1280 tokens · $0.0016 · 2 values redacted before sending',
    );
  });

  it('says unknown usage is unknown, never 0, and when the step limit cut the answer', () => {
    expect(
      llmLine(
        call({
          usage: { inputTokens: null, outputTokens: null, costUsd: null },
          redaction: { pii: true, counts: {}, total: 0 },
          stoppedBy: 'limit',
        }),
      ),
    ).toBe(
      'Answered by anthropic claude-haiku-4-5 · tokens unknown · cost unknown · stopped at the step limit',
    );
  });

  it('names the failure when the model could not answer', () => {
    expect(llmLine(call({ error: { code: 'TARKA_LLM_RATE_LIMITED', message: 'slow down' } }))).toBe(
      'anthropic claude-haiku-4-5 could not answer (TARKA_LLM_RATE_LIMITED)',
    );
  });
});
