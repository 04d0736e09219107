import type { z } from 'zod';
import type { DatabasePool } from 'slonik';
import type { Citation } from '../events/chat-events.js';
import type { EventStore } from '../events/event-store.js';
import type { Collectors } from '../collectors/run.js';
import type { NamespacePolicy } from '../collectors/namespace-policy.js';
import type { CaseFacts } from './case-facts.js';
import type { MemoryMatch } from '../contract/report.js';
import type { LlmCall } from '../contract/enrichment.js';

export type ToolStatus = 'ok' | 'empty' | 'unavailable' | 'error' | 'denied' | 'limited';

/** Bounds and policy every tool obeys (from CHAT_* and COLLECTOR_NAMESPACES_* settings). */
export interface ChatLimits {
  maxCallsPerTurn: number;
  turnTimeoutMs: number;
  disabledTools: readonly string[];
  clustersAllow: readonly string[];
  namespaces: NamespacePolicy;
  maxSeries: number;
  maxLogLines: number;
  maxRangeMs: number;
  maxRangeSteps: number;
  /** Bytes of a tool result kept in its event. */
  maxResultBytes: number;
}

/** A similar past case, as case memory ranks them (src/memory/find-similar.ts). */
export type SimilarCase = MemoryMatch;

export type FindSimilar = (pool: DatabasePool, caseId: string, limit: number) => Promise<SimilarCase[]>;

/** What tools may read or do. Everything is read-only except `requestRerun` (the existing rerun command). */
export interface ToolDeps {
  store: EventStore;
  readPool: DatabasePool;
  collectors: Pick<Collectors, 'collect'>;
  limits: ChatLimits;
  findSimilar: FindSimilar;
  requestRerun?: (
    caseId: string,
    turnId: string,
    by: string | null,
    windowMinutes?: number,
  ) => Promise<{ investigationId: string; changed: boolean }>;
  now: () => Date;
  /**
   * An LLM that answers with the same tools (LLM_ENABLED). No text, or a thrown error: the
   * deterministic intents answer instead, saying why, so chat works the same without one.
   */
  model?: (input: ModelTurn) => Promise<ModelAnswer>;
  /** Answer text as the model streams it (ephemeral; the answer event is what is kept). */
  streamAnswer?: (turn: { aggregate: string; turnId: string; caseId: string | null }, text: string) => void;
  /** Prometheus as people reach it, for links to the queries run (PROMETHEUS_PUBLIC_URL). */
  prometheusPublicUrl?: string | null;
}

/** One turn's context: which thread, who asked, and the case's facts when it is a case thread. */
export interface TurnContext {
  deps: ToolDeps;
  turnId: string;
  author: string | null;
  caseId: string | null;
  facts: CaseFacts | null;
}

export interface ToolOutput {
  status: ToolStatus;
  /** Stable TARKA_CHAT_* code when status is not ok/empty. */
  code?: string | null;
  summary: string;
  evidenceIds?: string[];
  /** Bounded data the answer and the console show. */
  result: unknown;
  citations: Citation[];
}

/** A tool an intent (or, later, an LLM) can call. */
export interface ChatTool<I = unknown> {
  name: string;
  description: string;
  inputSchema: z.ZodType<I>;
  /** The exact request this input makes (PromQL text, API path, SQL intent), recorded in the event. */
  request(input: I, ctx: TurnContext): string;
  run(input: I, ctx: TurnContext): Promise<ToolOutput>;
}

/** Calls a tool by name, recording the call as events; returns its output (never throws for tool errors). */
export type CallTool = (name: string, input: unknown) => Promise<ToolOutput>;

export interface Answer {
  text: string;
  citations: Citation[];
}

export type Scope = 'case' | 'global';

/** A recognised question: which intent, with what parameters. */
export interface IntentMatch<P = unknown> {
  score: number;
  params: P;
}

export interface Intent<P = unknown> {
  name: string;
  scopes: readonly Scope[];
  /** One line for the "what I can do" answer, with an example question. */
  help: string;
  match(text: string, scope: Scope): IntentMatch<P> | null;
  answer(params: P, ctx: TurnContext, call: CallTool): Promise<Answer>;
}

/** What a model gets for one turn: the question, the thread's facts, and the tools to call. */
export interface ModelTurn {
  question: string;
  scope: Scope;
  caseId: string | null;
  facts: CaseFacts | null;
  /** Earlier questions and answers of the thread, oldest first. */
  history: { role: 'user' | 'assistant'; text: string }[];
  tools: import('./model-tools.js').ModelTool[];
  onToken?: (text: string) => void;
}

/** What the model did with a turn: its answer text (null: none, see llm.error) and the call record. */
export interface ModelAnswer {
  text: string | null;
  llm: LlmCall;
}
