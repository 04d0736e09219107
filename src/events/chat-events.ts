import { z } from 'zod';
import { llmCallSchema } from '../contract/enrichment.js';

// Chat turns as events. A case's thread lives on the case's own stream (`case.<id>`, so a turn is
// ordered with the alerts and investigations it talks about); the inbox-wide thread is its own
// aggregate, one per UTC day (`chat.global-YYYY-MM-DD`): deciding reads the whole aggregate, and a
// day's thread stays a short read however long Tarka runs. Every field is bounded, so a turn with
// all its tool calls stays far below JetStream's 1 MB message cap.

export const CHAT_TEXT_MAX = 2000;
export const CHAT_ANSWER_MAX = 8000;
export const CHAT_SUMMARY_MAX = 600;
export const CHAT_REQUEST_MAX = 2000;

const id = z.string().min(1).max(100);
const s = (max: number) => z.string().max(max);

/** What an answer points at: an evidence item, the exact query run, a case, or a console link. */
export const citationSchema = z.object({
  kind: z.enum(['evidence', 'query', 'case', 'link']),
  /** Evidence id, case id, or the tool call id that ran the query. */
  ref: s(300),
  /** The query text or a short label. */
  text: s(CHAT_REQUEST_MAX),
  /** A console path (`/cases/<id>#evidence-<id>`) or an absolute URL. */
  href: s(1000).nullable(),
});
export type Citation = z.infer<typeof citationSchema>;

/** User turn (v2: turnId; v1 was declared with messageId and role and never written). */
export const chatMessagePostedV2 = z.object({
  turnId: id,
  author: s(256).nullable(),
  text: s(CHAT_TEXT_MAX),
});

export const chatToolCallStartedV1 = z.object({
  turnId: id,
  callId: id,
  tool: s(60),
  /** The exact request: the PromQL/LogsQL text, or the tool's input as JSON. */
  request: s(CHAT_REQUEST_MAX),
});

export const toolStatus = z.enum(['ok', 'empty', 'unavailable', 'error', 'denied', 'limited']);

export const chatToolCallFinishedV1 = z.object({
  turnId: id,
  callId: id,
  tool: s(60),
  status: toolStatus,
  /** Stable TARKA_CHAT_* code when the call did not succeed. */
  code: s(60).nullable(),
  summary: s(CHAT_SUMMARY_MAX),
  evidenceIds: z.array(s(100)).max(20),
  durationMs: z.number().nonnegative(),
  /** A bounded slice of the result (series, lines), for the console to show. */
  result: z.unknown(),
});

export const chatAnswerPostedV1 = z.object({
  turnId: id,
  intent: s(60),
  /** Plain text, never markup: the console shows it as text. */
  text: s(CHAT_ANSWER_MAX),
  citations: z.array(citationSchema).max(30),
  /** The LLM call behind the turn (an LLM answered, or was asked and failed); absent without one. */
  llm: llmCallSchema.nullable().optional(),
});

export const chatTurnFailedV1 = z.object({
  turnId: id,
  code: s(60),
  message: s(CHAT_SUMMARY_MAX),
  llm: llmCallSchema.nullable().optional(),
});

/** The chat family, shared by case threads and the global thread. */
export const chatFamilySchemas = {
  ChatMessagePosted: chatMessagePostedV2,
  ChatToolCallStarted: chatToolCallStartedV1,
  ChatToolCallFinished: chatToolCallFinishedV1,
  ChatAnswerPosted: chatAnswerPostedV1,
  ChatTurnFailed: chatTurnFailedV1,
} as const;

export const chatFamilyVersions: Record<keyof typeof chatFamilySchemas, number> = {
  ChatMessagePosted: 2,
  ChatToolCallStarted: 1,
  ChatToolCallFinished: 1,
  ChatAnswerPosted: 1,
  ChatTurnFailed: 1,
};

export type ChatEventType = keyof typeof chatFamilySchemas;
export type ChatEvent = {
  [K in ChatEventType]: { type: K; data: z.infer<(typeof chatFamilySchemas)[K]> };
}[ChatEventType];
export type ChatEventOf<K extends ChatEventType> = Extract<ChatEvent, { type: K }>;

export const isChatEventType = (t: string): t is ChatEventType => Object.hasOwn(chatFamilySchemas, t);

// The global thread's aggregates: `chat.global-YYYY-MM-DD`.
const GLOBAL_PREFIX = 'chat.global-';
export const globalChatAggregate = (day: string): string => `${GLOBAL_PREFIX}${day}`;
export const isGlobalChatAggregate = (aggregate: string): boolean => aggregate.startsWith(GLOBAL_PREFIX);
export const dayOf = (d: Date): string => d.toISOString().slice(0, 10);

/** Global chat events: the same family on the global aggregates. */
export const chatEventSchemas = chatFamilySchemas;
export const chatEventVersions = chatFamilyVersions;
