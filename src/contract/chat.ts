import { z } from 'zod';
import { llmCallSchema } from './enrichment.js';

// Chat threads as the API sends them and the console shows them (src/projections/chat reads them).

export const chatCitationViewSchema = z.object({
  kind: z.enum(['evidence', 'query', 'case', 'link']),
  ref: z.string(),
  text: z.string(),
  href: z.string().nullable(),
});

export const chatCallViewSchema = z.object({
  callId: z.string(),
  turnId: z.string(),
  thread: z.string(),
  caseId: z.string().nullable(),
  tool: z.string(),
  request: z.string(),
  /** running, then ok | empty | unavailable | error | denied | limited. */
  status: z.string(),
  code: z.string().nullable(),
  summary: z.string().nullable(),
  evidenceIds: z.array(z.string()),
  durationMs: z.number().nullable(),
  result: z.unknown(),
  startedAt: z.string(),
  finishedAt: z.string().nullable(),
  seq: z.coerce.number(),
  lastSeq: z.coerce.number(),
});
export type ChatCallView = z.infer<typeof chatCallViewSchema>;

export const chatTurnViewSchema = z.object({
  turnId: z.string(),
  thread: z.string(),
  caseId: z.string().nullable(),
  author: z.string().nullable(),
  text: z.string(),
  status: z.enum(['pending', 'answered', 'failed']),
  intent: z.string().nullable(),
  answer: z.string().nullable(),
  citations: z.array(chatCitationViewSchema),
  errorCode: z.string().nullable(),
  error: z.string().nullable(),
  /** The LLM call behind the turn: who answered, tokens and cost, or why it could not. */
  llm: llmCallSchema.nullable(),
  postedAt: z.string(),
  answeredAt: z.string().nullable(),
  seq: z.coerce.number(),
  lastSeq: z.coerce.number(),
});
export type ChatTurnView = z.infer<typeof chatTurnViewSchema>;

/** A turn with its tool calls, in the order they ran. */
export type ChatTurnWithCalls = ChatTurnView & { calls: ChatCallView[] };

/** GET /api/cases/:id/chat and GET /api/chat. */
export interface ChatThread {
  thread: string;
  turns: ChatTurnWithCalls[];
}

/** POST answers 202 with the turn id; the answer arrives as events (and live frames). */
export interface ChatPosted {
  turnId: string;
  thread: string;
}
