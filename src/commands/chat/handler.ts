import pRetry from 'p-retry';
import { VersionConflict } from '../../shared/errors.js';
import type { EventStore } from '../../events/event-store.js';
import type { Recorded } from '../../events/envelope.js';
import type { ChatCommand } from './commands.js';
import { decideChat } from './decide.js';
import { evolveChat, initialChatState, type ChatState } from './state.js';

/**
 * Loads a thread's aggregate (a case's stream or a day of the global thread), decides, and appends
 * with the version it decided on; a conflict (an alert or another turn landed first) reloads and
 * decides again. Command ids are derived from turn and call ids, so a retried command is absorbed.
 */
export class ChatCommandHandler {
  constructor(private readonly store: EventStore) {}

  async load(aggregate: string): Promise<{ state: ChatState; version: number }> {
    const { version, events } = await this.store.readAggregate(aggregate);
    return { state: events.reduce(evolveChat, initialChatState()), version };
  }

  async handle(aggregate: string, command: ChatCommand, commandId: string): Promise<Recorded[]> {
    return pRetry(
      async () => {
        const { state, version } = await this.load(aggregate);
        const events = decideChat(command, state);
        if (events.length === 0) return [];
        const res = await this.store.append(aggregate, events, { expectedVersion: version, commandId });
        return res.duplicate ? [] : res.events;
      },
      {
        retries: 8,
        minTimeout: 2,
        maxTimeout: 200,
        randomize: true,
        shouldRetry: ({ error }) => error instanceof VersionConflict,
      },
    );
  }
}
