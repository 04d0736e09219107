import type { ChatCallView, ChatTurnView, ChatTurnWithCalls } from '../../../../src/contract/chat.js';
import type { LlmCall } from '../../../../src/contract/enrichment.js';

// Merging what a fetch and the live feed say about a thread: a row only ever moves forward (by
// lastSeq), so a late frame or an older fetch never hides what is already shown.

export function mergeTurn(turns: ChatTurnWithCalls[], turn: ChatTurnView): ChatTurnWithCalls[] {
  const i = turns.findIndex((t) => t.turnId === turn.turnId);
  if (i < 0) return [...turns, { ...turn, calls: [] }].sort((a, b) => a.seq - b.seq);
  if (turns[i]!.lastSeq >= turn.lastSeq) return turns;
  const next = turns.slice();
  next[i] = { ...turn, calls: turns[i]!.calls };
  return next;
}

export function mergeCall(turns: ChatTurnWithCalls[], call: ChatCallView): ChatTurnWithCalls[] {
  const i = turns.findIndex((t) => t.turnId === call.turnId);
  if (i < 0) return turns;
  const calls = turns[i]!.calls;
  const j = calls.findIndex((c) => c.callId === call.callId);
  if (j >= 0 && calls[j]!.lastSeq >= call.lastSeq) return turns;
  const merged =
    j < 0 ? [...calls, call].sort((a, b) => a.seq - b.seq) : calls.map((c, k) => (k === j ? call : c));
  const next = turns.slice();
  next[i] = { ...turns[i]!, calls: merged };
  return next;
}

/** A fetched thread merged into what is shown (either may be ahead for some rows). */
export function mergeThread(shown: ChatTurnWithCalls[], fetched: ChatTurnWithCalls[]): ChatTurnWithCalls[] {
  let out = shown;
  for (const t of fetched) {
    out = mergeTurn(out, t);
    for (const c of t.calls) out = mergeCall(out, c);
  }
  return out;
}

/** Only links into the console or to http(s) pages; anything else (javascript:, data:) is dropped. */
export function safeHref(href: string | null): string | null {
  if (!href) return null;
  if (href.startsWith('/') && !href.startsWith('//')) return href;
  try {
    const u = new URL(href);
    return u.protocol === 'https:' || u.protocol === 'http:' ? u.toString() : null;
  } catch {
    return null;
  }
}

/** Streamed answer text with a chunk added: in order, overlaps trimmed; a gap waits for the answer. */
export function appendStreamed(shown: string, offset: number, text: string): string {
  if (offset > shown.length || offset + text.length <= shown.length) return shown;
  return shown + text.slice(shown.length - offset);
}

/** Who answered and at what cost, in one line (unknown usage says so, never 0). */
export function llmLine(llm: LlmCall): string {
  const by = `${llm.provider ?? 'LLM'}${llm.model ? ` ${llm.model}` : ''}`;
  if (llm.error) return `${by} could not answer (${llm.error.code})`;
  const u = llm.usage;
  const tokens =
    u.inputTokens === null || u.outputTokens === null
      ? 'tokens unknown'
      : `${u.inputTokens + u.outputTokens} tokens`;
  const cost = u.costUsd === null ? 'cost unknown' : `$${u.costUsd.toFixed(4)}`;
  const hidden = llm.redaction.total ? ` · ${llm.redaction.total} values redacted before sending` : '';
  const limit = llm.stoppedBy === 'limit' ? ' · stopped at the step limit' : '';
  return `Answered by ${by} · ${tokens} · ${cost}${hidden}${limit}`;
}
