import { llmCallOf, runChatTurn } from '../llm/chat-loop.js';
import type { LlmSetup } from '../llm/setup.js';
import type { LlmCall } from '../contract/enrichment.js';
import { caseStatus } from './case-facts.js';
import type { ModelAnswer, ModelTurn, ToolDeps } from './types.js';

// Chat with an LLM: the configured model answers with the chat tools (the same policy, bounds and
// events as the intents), its text streamed as it comes. Everything it is sent is redacted first
// (src/llm/chat-loop.ts); the deterministic report stays the ground truth it is told to cite.

export interface LlmChatOptions {
  /** Most model steps in one turn (CHAT_LLM_MAX_STEPS). */
  maxSteps: number;
  /** Most tool calls in one turn (CHAT_MAX_TOOL_CALLS_PER_TURN). */
  maxToolCalls: number;
  /** Each call's record, for /metrics. */
  onCall?: (call: LlmCall) => void;
}

export function llmChatModel(setup: LlmSetup, opts: LlmChatOptions): NonNullable<ToolDeps['model']> {
  return async (turn: ModelTurn): Promise<ModelAnswer> => {
    const result = await runChatTurn(
      {
        context: contextOf(turn, new Date()),
        history: turn.history,
        question: turn.question,
        tools: turn.tools,
        maxSteps: opts.maxSteps,
        maxToolCalls: opts.maxToolCalls,
        ...(turn.onToken ? { onToken: turn.onToken } : {}),
      },
      { model: setup.model, redactPii: setup.redactPii, prices: setup.prices, budget: setup.budget },
    );
    const llm = llmCallOf(result);
    opts.onCall?.(llm);
    const text = result.text.trim();
    return { text: result.error || !text ? null : text, llm };
  };
}

/** What the model is told up front: the thread's scope and, on a case, its alert and verdict. */
export function contextOf(turn: Pick<ModelTurn, 'scope' | 'facts'>, now: Date): string {
  const f = turn.facts;
  if (turn.scope === 'global' || !f)
    return JSON.stringify({
      thread: 'inbox-wide chat: questions about all cases; use the inbox tools',
      now: now.toISOString(),
    });
  const r = f.report;
  return JSON.stringify({
    thread: `chat about case ${f.caseId}`,
    now: now.toISOString(),
    alert: { name: f.alertname, labels: f.labels, annotations: f.annotations },
    status: caseStatus(f, now),
    episode: f.episode,
    closed: f.closed,
    investigations: f.investigations.slice(-3),
    // The verdict of the latest report; the case_report tool gives its evidence in full.
    report: r
      ? {
          investigationId: f.reportInvestigationId,
          summary: r.summary,
          verdict: r.verdict,
          family: r.family,
          classification: r.classification,
          classificationReason: r.classificationReason,
          topHypotheses: (r.hypotheses ?? []).slice(0, 3).map((h) => ({
            title: h.title,
            evidence: h.evidence,
          })),
          unknowns: r.unknowns,
        }
      : null,
  }).slice(0, 12_000);
}
