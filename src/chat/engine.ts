import { CHAT_ANSWER_MAX, CHAT_SUMMARY_MAX, type Citation } from '../events/chat-events.js';
import type { ChatCommandHandler } from '../commands/chat/handler.js';
import { TarkaError } from '../shared/errors.js';
import { loadCaseFacts } from './case-facts.js';
import { helpText, recognise } from './intents/index.js';
import { toolCaller, type CallRecorder } from './run-tool.js';
import { modelTools } from './model-tools.js';
import type { Answer, CallTool, ModelTurn, Scope, ToolDeps, TurnContext } from './types.js';
import type { LlmCall } from '../contract/enrichment.js';

export interface Turn {
  aggregate: string;
  turnId: string;
  author: string | null;
  text: string;
  caseId: string | null;
  /** Earlier questions and answers of the thread, for a model (the intents do not need them). */
  history?: ModelTurn['history'];
}

type Composed = Answer & { intent: string; llm?: LlmCall | null };

/** Where the answer's events go: the thread's own aggregate, through the chat decider. */
export function eventRecorder(chat: ChatCommandHandler, turn: Turn): CallRecorder {
  const id = (callId: string, what: string) => `chat:${callId}:${what}`;
  return {
    started: async ({ callId, tool, request }) => {
      await chat.handle(
        turn.aggregate,
        { type: 'StartToolCall', turnId: turn.turnId, callId, tool, request },
        id(callId, 'start'),
      );
    },
    finished: async ({ callId, tool, output, durationMs }) => {
      await chat.handle(
        turn.aggregate,
        {
          type: 'FinishToolCall',
          turnId: turn.turnId,
          callId,
          tool,
          status: output.status,
          code: output.code ?? null,
          summary: output.summary.slice(0, CHAT_SUMMARY_MAX),
          evidenceIds: (output.evidenceIds ?? []).slice(0, 20),
          durationMs: Math.round(durationMs * 100) / 100,
          result: output.result ?? null,
        },
        id(callId, 'finish'),
      );
    },
  };
}

/**
 * The answer to one question. With a model configured it answers first, with the same tools (so
 * its calls are the same events); when it cannot, the deterministic intents answer and the text
 * says why the model did not.
 */
export async function composeAnswer(turn: Turn, deps: ToolDeps, recorder: CallRecorder): Promise<Composed> {
  const scope: Scope = turn.caseId ? 'case' : 'global';
  const facts = turn.caseId ? await loadCaseFacts(deps.store, turn.caseId) : null;
  const ctx: TurnContext = { deps, turnId: turn.turnId, author: turn.author, caseId: turn.caseId, facts };
  let call = toolCaller(ctx, recorder, deps.now().getTime() + deps.limits.turnTimeoutMs);
  let llm: LlmCall | null = null;
  if (deps.model) {
    const cited: Citation[] = [];
    const citing: CallTool = async (name, input) => {
      const out = await call(name, input);
      cited.push(...out.citations);
      return out;
    };
    const stream = deps.streamAnswer;
    const byModel = await deps
      .model({
        question: turn.text,
        scope,
        caseId: turn.caseId,
        facts,
        history: turn.history ?? [],
        tools: modelTools(citing),
        ...(stream ? { onToken: (text: string) => stream(turn, text) } : {}),
      })
      .catch(() => null);
    llm = byModel?.llm ?? null;
    if (byModel?.text)
      return { intent: 'llm', text: byModel.text, citations: citationsOf(byModel.text, cited), llm };
    // The intents answer instead, with a budget of their own and the next call ids.
    call = toolCaller(ctx, recorder, deps.now().getTime() + deps.limits.turnTimeoutMs, call.calls);
  }
  const found = recognise(turn.text, scope);
  const answer = found
    ? { intent: found.intent.name, ...(await found.intent.answer(found.match.params, ctx, call)) }
    : { intent: 'help', text: helpText(scope), citations: [] };
  if (!deps.model) return answer;
  return { ...answer, text: `${modelMissing(llm)}\n\n${answer.text}`, llm };
}

/** Why a turn was answered without the configured model. */
function modelMissing(llm: LlmCall | null): string {
  const why = llm?.error ? `${llm.error.message} (${llm.error.code})` : 'it gave no answer';
  return `(The LLM${llm?.model ? ` ${llm.model}` : ''} could not answer: ${why}. Tarka's own intents answered instead.)`;
}

/** The tools' citations the answer refers to (all of them when it names none), without repeats. */
function citationsOf(text: string, cited: Citation[]): Citation[] {
  const unique = [...new Map(cited.map((c) => [`${c.kind}:${c.ref}:${c.text}`, c])).values()];
  const named = unique.filter((c) => text.includes(c.ref) || (c.kind === 'query' && text.includes(c.text)));
  return named.length ? named : unique;
}

/**
 * Answers a turn and records the answer (or why there is none) as events. Idempotent by turn id:
 * the decider ignores tool calls and answers of a turn already answered.
 */
export async function answerTurn(turn: Turn, deps: ToolDeps, chat: ChatCommandHandler): Promise<void> {
  let answer: Composed;
  try {
    answer = await composeAnswer(turn, deps, eventRecorder(chat, turn));
  } catch (e) {
    const code = e instanceof TarkaError ? e.code : 'TARKA_CHAT_SOURCE_UNAVAILABLE';
    await chat.handle(
      turn.aggregate,
      {
        type: 'FailTurn',
        turnId: turn.turnId,
        code,
        message: `could not answer: ${(e as Error).message}`.slice(0, CHAT_SUMMARY_MAX),
        llm: null,
      },
      `chat:${turn.turnId}:failed`,
    );
    return;
  }
  await chat.handle(
    turn.aggregate,
    {
      type: 'PostAnswer',
      turnId: turn.turnId,
      intent: answer.intent,
      text: cut(answer.text, CHAT_ANSWER_MAX),
      citations: answer.citations.slice(0, 30).map(boundCitation),
      ...(answer.llm ? { llm: answer.llm } : {}),
    },
    `chat:${turn.turnId}:answer`,
  );
}

const cut = (s: string, max: number) => (s.length <= max ? s : `${s.slice(0, max - 1)}…`);
const boundCitation = (c: Citation): Citation => ({
  kind: c.kind,
  ref: cut(c.ref, 300),
  text: cut(c.text, 2000),
  href: c.href === null ? null : cut(c.href, 1000),
});
