import { z } from 'zod';
import { investigationViewSchema, stepViewSchema, type CaseView } from './views.js';
import type { ChatCallView, ChatTurnView } from './chat.js';

/** An investigation that changed, with its case (src/live/changes.ts reads these). */
export const liveInvestigationSchema = investigationViewSchema.extend({ caseId: z.string() });
export type LiveInvestigation = z.infer<typeof liveInvestigationSchema>;

/** A step that finished, with its case and investigation. */
export const liveStepSchema = stepViewSchema.extend({ caseId: z.string(), investigationId: z.string() });
export type LiveStep = z.infer<typeof liveStepSchema>;

/**
 * What the gateway sends to a browser, one JSON object per websocket message. `seq` is always the
 * cases projector's committed position that the frame reflects.
 *
 * - `hello` opens every connection. Without `since` (resumed: false) the client refetches what it
 *   shows and resumes from `seq`; with `since` the gap follows, closed by `sync`.
 * - `case`, `investigation`, `step`: a row as it is at `seq` (each row also carries its own seq).
 * - `sync`: everything up to `seq` has been sent; the client resumes from here after a reconnect.
 * - `reset`: too much changed to send row by row; refetch, then resume from `seq`.
 * - `chat_answer_text`: ephemeral, not resumed after a reconnect.
 */
export type Frame =
  | { type: 'hello'; seq: number; resumed: boolean }
  | { type: 'sync'; seq: number }
  | { type: 'reset'; seq: number }
  | { type: 'case'; seq: number; case: CaseView }
  | { type: 'investigation'; seq: number; caseId: string; investigation: Omit<LiveInvestigation, 'caseId'> }
  | {
      type: 'step';
      seq: number;
      caseId: string;
      investigationId: string;
      step: Omit<LiveStep, 'caseId' | 'investigationId'>;
    }
  // A chat turn or tool call as it is at `seq` (caseId null: the global thread).
  | { type: 'chat_turn'; seq: number; caseId: string | null; turn: ChatTurnView }
  | { type: 'chat_call'; seq: number; caseId: string | null; call: ChatCallView }
  // An LLM answer's text as it streams (no seq: not a row; the turn's answer frame replaces it).
  | { type: 'chat_answer_text'; caseId: string | null; turnId: string; offset: number; text: string };

/** The frames that carry a row (the others only move the client's position). */
export type RowFrame = Extract<
  Frame,
  { type: 'case' | 'investigation' | 'step' | 'chat_turn' | 'chat_call' }
>;

/** What a page listens to: rows, and streamed answer text. */
export type ListenedFrame = RowFrame | Extract<Frame, { type: 'chat_answer_text' }>;
