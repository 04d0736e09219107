import pRetry from 'p-retry';
import { LRUCache } from 'lru-cache';
import { VersionConflict } from '../../shared/errors.js';
import type { EventStore } from '../../events/event-store.js';
import type { Recorded } from '../../events/envelope.js';
import type { ChatCommand } from './commands.js';
import { decideChat } from './decide.js';
import { evolveChat, initialChatState, type ChatState } from './state.js';

interface Loaded {
  state: ChatState;
  version: number;
}

/**
 * Loads a thread's aggregate (a case's stream or a day of the global thread), decides, and appends
 * with the version it decided on; a conflict (an alert or another turn landed first) reloads and
 * decides again. Command ids are derived from turn and call ids, so a retried command is absorbed.
 * The state after its own appends is kept, so answering a turn (a question, tool calls, an answer)
 * reads the aggregate once, not once per event; a stale entry only costs a conflict and a reload.
 */
export class ChatCommandHandler {
  private readonly cache = new LRUCache<string, Loaded>({ max: 1000 });

  constructor(private readonly store: EventStore) {}

  /** Reads the thread; returns its state and the events it was folded from (not kept in the cache). */
  async load(aggregate: string): Promise<Loaded & { events: Recorded[] }> {
    const { version, events } = await this.store.readAggregate(aggregate);
    const loaded = { state: events.reduce(evolveChat, initialChatState()), version };
    if (version > 0) this.cache.set(aggregate, loaded);
    return { ...loaded, events };
  }

  async handle(aggregate: string, command: ChatCommand, commandId: string): Promise<Recorded[]> {
    return pRetry(
      async () => {
        let loaded = this.cache.get(aggregate);
        let events = loaded ? decideOrNull(command, loaded.state) : null;
        // Nothing to do, or refused, on a kept state: the log may know more; decide on it instead.
        if (!loaded || events === null || events.length === 0) {
          loaded = await this.load(aggregate);
          events = decideChat(command, loaded.state);
        }
        const { state, version } = loaded;
        if (events.length === 0) return [];
        let res;
        try {
          res = await this.store.append(aggregate, events, { expectedVersion: version, commandId });
        } catch (e) {
          this.cache.delete(aggregate);
          throw e;
        }
        if (res.duplicate) {
          this.cache.delete(aggregate);
          return [];
        }
        this.cache.set(aggregate, { state: res.events.reduce(evolveChat, state), version: res.seq });
        return res.events;
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

function decideOrNull(command: ChatCommand, state: ChatState) {
  try {
    return decideChat(command, state);
  } catch {
    return null;
  }
}
