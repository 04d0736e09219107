import { randomUUID } from 'node:crypto';
import { commitSchema, type NewEvent, type Recorded } from './envelope.js';
import { eventVersions, isEventType } from './catalogue.js';
import { upcast } from './upcasters.js';
import { TarkaError } from '../shared/errors.js';
import type { AppendOptions } from './event-store.js';

// Encoding shared by every adapter, so they store and read the same bytes.

export function toEnvelopes(aggregate: string, events: NewEvent[], options: AppendOptions, now = new Date()) {
  const occurredAt = now.toISOString();
  return events.map((e) => {
    if (!isEventType(e.type)) throw new TarkaError('TARKA_EVENT_UNREADABLE', `unknown event type ${e.type}`);
    return {
      id: randomUUID(),
      type: e.type,
      schema: eventVersions[e.type],
      aggregate,
      occurredAt,
      causationId: options.causationId ?? null,
      correlationId: options.correlationId ?? null,
      data: e.data,
    };
  });
}

export function encodeCommit(envelopes: ReturnType<typeof toEnvelopes>): Uint8Array {
  return Buffer.from(JSON.stringify({ events: envelopes }));
}

/** Decodes one stored message into upcast events. A message we cannot read is a loud error. */
export function decodeCommit(bytes: Uint8Array, seq: number): Recorded[] {
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8'));
  } catch (cause) {
    throw new TarkaError('TARKA_EVENT_UNREADABLE', `message ${seq} is not JSON`, undefined, { cause });
  }
  const commit = commitSchema.safeParse(json);
  if (!commit.success) {
    throw new TarkaError('TARKA_EVENT_UNREADABLE', `message ${seq} is not a Tarka commit`);
  }
  // The one place a payload becomes typed: upcast validated it against its type's schema.
  return commit.data.events.map(
    (env, index) => ({ ...env, ...upcast(env.type, env.schema, env.data), seq, index }) as Recorded,
  );
}
