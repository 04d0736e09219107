import type { z } from 'zod';
import { authEventSchemas, authEventVersions } from './auth-events.js';
import { caseEventSchemas, caseEventVersions } from './case-events.js';
import { chatEventSchemas, chatEventVersions } from './chat-events.js';
import { incidentEventSchemas, incidentEventVersions } from './incident-events.js';

// Every event type Tarka stores, whatever its aggregate (case, global chat, incident, user, audit).
// A new kind of aggregate adds its own `<kind>-events.ts` (schemas + current versions) and one
// entry in each list below; the codec and upcasters then read and write it like any other.

const schemas = {
  ...caseEventSchemas,
  ...authEventSchemas,
  ...chatEventSchemas,
  ...incidentEventSchemas,
} as const;

const versions: Record<keyof typeof schemas, number> = {
  ...caseEventVersions,
  ...authEventVersions,
  ...chatEventVersions,
  ...incidentEventVersions,
};

export type EventType = keyof typeof schemas;

/** Any stored event, narrowed by `type`. */
export type TarkaEvent = {
  [K in EventType]: { type: K; data: z.infer<(typeof schemas)[K]> };
}[EventType];

export const eventSchemas: { readonly [K in EventType]: (typeof schemas)[K] } = schemas;
export const eventVersions: Readonly<Record<EventType, number>> = versions;

export function isEventType(t: string): t is EventType {
  return Object.hasOwn(schemas, t);
}
