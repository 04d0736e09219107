import { TarkaError } from '../shared/errors.js';
import { eventSchemas, eventVersions, isEventType, type TarkaEvent } from './catalogue.js';

// Pure functions that lift an old payload one version up. Keyed by "Type@fromVersion".
type Upcaster = (data: Record<string, unknown>) => Record<string, unknown>;

const upcasters: Record<string, Upcaster> = {
  // v1 kept receiver and groupKey at the top level and had no notification reason.
  'AlertFired@1': ({ receiver, groupKey, ...rest }) => ({
    ...rest,
    notification: {
      receiver: receiver ?? null,
      groupKey: groupKey ?? null,
      truncatedAlerts: 0,
      reason: null,
    },
  }),
  // v1 (messageId, role) was declared but never written; read one as a user turn all the same.
  'ChatMessagePosted@1': ({ messageId, author, text }) => ({
    turnId: messageId,
    author: author ?? null,
    text,
  }),
};

/** Brings a stored payload to the current schema and validates it. Throws on unknown shapes. */
export function upcast(type: string, schema: number, data: unknown): TarkaEvent {
  if (!isEventType(type)) {
    throw new TarkaError('TARKA_EVENT_UNREADABLE', `unknown event type ${type}`, 'upgrade Tarka to read it');
  }
  const current = eventVersions[type];
  if (schema > current) {
    throw new TarkaError(
      'TARKA_EVENT_UNREADABLE',
      `${type} schema ${schema} is newer than this Tarka understands (${current})`,
      'upgrade Tarka to the version that wrote it',
    );
  }
  let payload = data as Record<string, unknown>;
  for (let v = schema; v < current; v++) {
    const up = upcasters[`${type}@${v}`];
    if (!up) throw new TarkaError('TARKA_EVENT_UNREADABLE', `no upcaster for ${type}@${v}`);
    payload = up(payload);
  }
  const parsed = eventSchemas[type].safeParse(payload);
  if (!parsed.success) {
    throw new TarkaError(
      'TARKA_EVENT_UNREADABLE',
      `${type}@${schema} does not match its schema: ${parsed.error.issues[0]?.message ?? ''} at ${parsed.error.issues[0]?.path.join('.') ?? ''}`,
    );
  }
  return { type, data: parsed.data } as TarkaEvent;
}
