import { createHash } from 'node:crypto';
import type { DatabasePool } from 'slonik';
import type { Reactor } from '../projections/engine/projection.js';
import type { Recorded } from '../events/envelope.js';
import type { EventStore } from '../events/event-store.js';
import type { CaseCommandHandler } from '../commands/case/handler.js';
import { ChatCommandHandler } from '../commands/chat/handler.js';
import { turnOf } from '../commands/chat/state.js';
import { caseIdOf, isCaseAggregate } from '../contract/case-id.js';
import { createToolkitCollectors, chatLimits } from '../chat/setup.js';
import { answerTurn } from '../chat/engine.js';
import { similarFromMemory } from '../chat/tools/similar.js';
import type { ToolDeps } from '../chat/types.js';
import type { Config } from '../shared/config.js';
import type { Logger } from '../shared/log.js';
import type { LlmSetup } from '../llm/setup.js';
import type { LlmCall } from '../contract/enrichment.js';
import { llmChatModel } from '../chat/llm-model.js';

export interface ChatAnswererDeps {
  config: Config;
  store: EventStore;
  readPool: DatabasePool;
  handler: CaseCommandHandler;
  log?: Logger;
  /** Tools' data sources and clock (tests hand in their own). */
  tools?: Partial<ToolDeps>;
  /** The configured LLM (LLM_ENABLED): it answers first, with the same tools. */
  llm?: LlmSetup | null;
  /** Each LLM call's record (for /metrics). */
  onLlmCall?: (call: LlmCall) => void;
  /** Where streamed answer text goes (the console servers, over NATS). */
  streamAnswer?: ToolDeps['streamAnswer'];
}

/** Earlier turns a model is shown, at most. */
const HISTORY_TURNS = 6;

/** A turn older than this when first seen (a long outage) gets a failure, not a stale answer. */
const MAX_AGE_MS = 3_600_000;

/**
 * Answers chat questions. A reactor: it reads every ChatMessagePosted from its checkpoint, and
 * moves the checkpoint only after the batch's turns are answered (or failed), so a crash
 * mid-answer leaves the turn to be answered after restart. Answering is idempotent by turn id: a
 * turn the thread already answered is skipped, and repeated tool calls are absorbed by the decider.
 */
export function chatAnswerer(deps: ChatAnswererDeps): Reactor {
  const chat = new ChatCommandHandler(deps.store);
  const toolDeps: ToolDeps = {
    store: deps.store,
    readPool: deps.readPool,
    collectors: deps.tools?.collectors ?? createToolkitCollectors(deps.config),
    limits: chatLimits(deps.config),
    findSimilar: similarFromMemory,
    prometheusPublicUrl: deps.config.PROMETHEUS_PUBLIC_URL ?? null,
    now: () => new Date(),
    ...(deps.llm
      ? {
          model: llmChatModel(deps.llm, {
            maxSteps: deps.config.CHAT_LLM_MAX_STEPS,
            maxToolCalls: deps.config.CHAT_MAX_TOOL_CALLS_PER_TURN,
            ...(deps.onLlmCall ? { onCall: deps.onLlmCall } : {}),
          }),
        }
      : {}),
    ...(deps.streamAnswer ? { streamAnswer: deps.streamAnswer } : {}),
    requestRerun: async (caseId, turnId, by, windowMinutes) => {
      const investigationId = uuidFrom(`chat-rerun:${turnId}`);
      const res = await deps.handler.handle(
        caseId,
        {
          type: 'RequestInvestigation',
          investigationId,
          by,
          bound: { now: new Date().toISOString(), perHour: deps.config.INVESTIGATION_RERUNS_PER_HOUR },
          ...(windowMinutes ? { windowMinutes } : {}),
        },
        `chat:${turnId}:rerun`,
      );
      return { investigationId, changed: res.events.length > 0 && !res.duplicate };
    },
    ...deps.tools,
  };

  async function answer(e: Recorded & { type: 'ChatMessagePosted' }) {
    const { state, events } = await chat.load(e.aggregate);
    const turn = turnOf(state, e.data.turnId);
    if (!turn || turn.status !== 'open') return;
    if (toolDeps.now().getTime() - Date.parse(e.occurredAt) > MAX_AGE_MS) {
      await chat.handle(
        e.aggregate,
        {
          type: 'FailTurn',
          turnId: turn.id,
          code: 'TARKA_CHAT_TOOL_LIMIT',
          message: 'not answered within an hour of being asked; ask again',
        },
        `chat:${turn.id}:failed`,
      );
      return;
    }
    await answerTurn(
      {
        aggregate: e.aggregate,
        turnId: turn.id,
        author: turn.author,
        text: turn.text,
        caseId: isCaseAggregate(e.aggregate) ? caseIdOf(e.aggregate) : null,
        ...(toolDeps.model ? { history: historyBefore(events, turn.id) } : {}),
      },
      toolDeps,
      chat,
    );
  }

  return {
    name: 'chat-answerer',
    definitionVersion: 1,
    async react(events) {
      const turns = events.filter(
        (e): e is Recorded & { type: 'ChatMessagePosted' } => e.type === 'ChatMessagePosted',
      );
      if (turns.length === 0) return;
      // A few at a time: each may wait on Prometheus, Kubernetes or the logs backend.
      for (let i = 0; i < turns.length; i += 4) await Promise.all(turns.slice(i, i + 4).map(answer));
    },
  };
}

/** The thread's last questions and answers before a turn, oldest first (what a model is shown). */
function historyBefore(events: Recorded[], turnId: string) {
  const out: { role: 'user' | 'assistant'; text: string }[] = [];
  for (const e of events) {
    if (e.type === 'ChatMessagePosted' && e.data.turnId === turnId) break;
    if (e.type === 'ChatMessagePosted') out.push({ role: 'user', text: e.data.text });
    else if (e.type === 'ChatAnswerPosted') out.push({ role: 'assistant', text: e.data.text });
  }
  return out.slice(-2 * HISTORY_TURNS);
}

/** A UUID-shaped id derived from a string, so the same turn asks for the same rerun. */
function uuidFrom(s: string): string {
  const h = createHash('sha256').update(s).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}
