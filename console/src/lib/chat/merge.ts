import type { ChatCallView, ChatTurnView, ChatTurnWithCalls } from '../../../../src/contract/chat.js';

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
