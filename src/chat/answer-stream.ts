import type { NatsConnection } from 'nats';
import { z } from 'zod';
import type { Config } from '../shared/config.js';

// An LLM's answer text as it streams, from the worker that asks the model to every console server
// (core NATS, not the event log: the answer event is what is kept; a chunk lost on the way only
// means the text appears whole when the answer lands). Chunks are coalesced to a few per second.

/** Outside the events stream's subjects (`<prefix>.>`), so nothing stores these. */
export const answerStreamSubject = (c: Pick<Config, 'EVENTS_SUBJECT_PREFIX'>): string =>
  `${c.EVENTS_SUBJECT_PREFIX}-live.chat-answer`;

const answerChunkSchema = z.object({
  caseId: z.string().max(200).nullable(),
  turnId: z.string().max(100),
  /** Characters of the answer sent before this chunk. */
  offset: z.number().int().nonnegative(),
  text: z.string().max(16_000),
});
export type AnswerChunk = z.infer<typeof answerChunkSchema>;

/** A published chunk read back; null for anything that is not one. */
export function readAnswerChunk(text: string): AnswerChunk | null {
  try {
    return answerChunkSchema.safeParse(JSON.parse(text)).data ?? null;
  } catch {
    return null;
  }
}

interface Pending {
  offset: number;
  text: string;
  timer: NodeJS.Timeout | undefined;
}

/** Publishes streamed answer text per turn, at most one message per `everyMs` and turn. */
export function answerStreamPublisher(nc: NatsConnection, subject: string, everyMs = 80) {
  const turns = new Map<string, Pending>();
  const flush = (turn: { turnId: string; caseId: string | null }, p: Pending) => {
    p.timer = undefined;
    if (!p.text) return;
    const chunk: AnswerChunk = { caseId: turn.caseId, turnId: turn.turnId, offset: p.offset, text: p.text };
    p.offset += p.text.length;
    p.text = '';
    try {
      nc.publish(subject, JSON.stringify(chunk));
    } catch {
      // A closed connection: the answer still arrives as an event.
    }
    // Forget a turn that has gone quiet (its answer has landed by then).
    p.timer = setTimeout(() => turns.delete(turn.turnId), 60_000);
    p.timer.unref();
  };
  return (turn: { turnId: string; caseId: string | null }, text: string): void => {
    let p = turns.get(turn.turnId);
    if (!p) turns.set(turn.turnId, (p = { offset: 0, text: '', timer: undefined }));
    p.text += text;
    if (p.text.length > text.length) return; // text was pending: its flush is already due
    clearTimeout(p.timer);
    const due = p;
    p.timer = setTimeout(() => flush(turn, due), everyMs);
    p.timer.unref();
  };
}
