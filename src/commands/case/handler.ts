import pRetry from 'p-retry';
import { LRUCache } from 'lru-cache';
import { VersionConflict } from '../../shared/errors.js';
import type { EventStore } from '../../events/event-store.js';
import type { CaseEvent } from '../../events/case-events.js';
import type { Recorded } from '../../events/envelope.js';
import type { CaseCommand } from './commands.js';
import { decide } from './decide.js';
import { evolve, initialState, type CaseState } from './state.js';

export interface HandleResult {
  events: Recorded[];
  version: number;
  /** The store had already accepted this command id: nothing new was written. */
  duplicate: boolean;
}

interface Cached {
  state: CaseState;
  version: number;
}

export const caseAggregate = (caseId: string) => `case.${caseId}`;

/**
 * Loads a case, decides, appends with the version it decided on, and retries after reloading when
 * someone else appended first. Case state is cached so the hot path (resends) never reads the log.
 */
export class CaseCommandHandler {
  private readonly cache: LRUCache<string, Cached> | undefined;

  constructor(
    private readonly store: EventStore,
    options: { cacheSize?: number } = {},
  ) {
    const max = options.cacheSize ?? 100_000;
    this.cache = max > 0 ? new LRUCache({ max }) : undefined;
  }

  async handle(
    caseId: string,
    command: CaseCommand,
    commandId: string,
    correlationId: string | null = null,
  ): Promise<HandleResult> {
    const aggregate = caseAggregate(caseId);
    // An alert for a case we have not cached is most likely new: try creating it straight away and
    // let the store's create guard tell us otherwise. That saves a read per new alert.
    let assumeNew = command.type === 'ReceiveAlert';
    return pRetry(
      async () => {
        const cached =
          this.cache?.get(aggregate) ??
          (assumeNew ? { state: initialState(), version: 0 } : await this.load(aggregate));
        assumeNew = false;
        const events = decide(command, cached.state);
        if (events.length === 0) return { events: [], version: cached.version, duplicate: false };
        try {
          const res = await this.store.append(aggregate, events, {
            expectedVersion: cached.version,
            commandId,
            correlationId,
          });
          if (res.duplicate) {
            // Written before by an earlier try of this command; what came after it is unknown here.
            this.cache?.delete(aggregate);
          } else {
            this.cache?.set(aggregate, { state: events.reduce(evolve, cached.state), version: res.seq });
          }
          return { events: res.events, version: res.seq, duplicate: res.duplicate };
        } catch (e) {
          this.cache?.delete(aggregate);
          throw e;
        }
      },
      // Only a conflict is worth another try (after reloading); anything else goes to the caller.
      {
        retries: 8,
        minTimeout: 2,
        maxTimeout: 200,
        factor: 2,
        randomize: true,
        shouldRetry: ({ error }) => error instanceof VersionConflict,
      },
    );
  }

  /** Current state of a case, read from the log (and cached). */
  async load(aggregate: string): Promise<Cached> {
    const { version, events } = await this.store.readAggregate(aggregate);
    const state = events.reduce((s, e) => evolve(s, e as CaseEvent), initialState());
    const entry = { state, version };
    if (version > 0) this.cache?.set(aggregate, entry);
    return entry;
  }
}
