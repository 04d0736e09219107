import { z } from 'zod';
import type { EventType, TarkaEvent } from './catalogue.js';

// The envelope every event travels in. One decision = one JetStream message holding an array of
// envelopes, so the events of a decision commit together (nats-server 2.9 has no atomic batches).
export const envelopeSchema = z.object({
  id: z.string().min(1),
  type: z.string().min(1),
  schema: z.number().int().positive(),
  aggregate: z.string().min(1),
  occurredAt: z.iso.datetime({ offset: true }),
  causationId: z.string().nullable(),
  correlationId: z.string().nullable(),
  data: z.unknown(),
});
export type RawEnvelope = z.infer<typeof envelopeSchema>;

export const commitSchema = z.object({ events: z.array(envelopeSchema).min(1) });

/** An event of type E as read back: the envelope plus its position in the stream. */
export interface RecordedOf<E extends { type: string; data: unknown }> {
  id: string;
  type: E['type'];
  schema: number;
  aggregate: string;
  occurredAt: string;
  causationId: string | null;
  correlationId: string | null;
  data: E['data'];
  /** Stream sequence of the message that carried this event (the aggregate's version after it). */
  seq: number;
  /** Position of the event inside its message. */
  index: number;
}

/**
 * Any event as read back, narrowed by `type`: codecs validate (and upcast) every payload, so
 * `e.type === 'AlertFired'` gives `e.data` its schema's type without a cast.
 */
export type Recorded = { [K in EventType]: RecordedOf<Extract<TarkaEvent, { type: K }>> }[EventType];

/** What a decider emits: type and data, before the store adds ids and positions. */
export interface NewEvent<T extends string = string, D = unknown> {
  type: T;
  data: D;
}
