import pRetry from 'p-retry';
import { LRUCache } from 'lru-cache';
import { VersionConflict } from '../../shared/errors.js';
import type { EventStore } from '../../events/event-store.js';
import { isCaseEventType, type CaseEvent } from '../../events/case-events.js';
import type { Recorded } from '../../events/envelope.js';
import type { CaseCommand } from './commands.js';
import { decide } from './decide.js';
import { evolve, initialState, type CaseState } from './state.js';
import { caseAggregate } from '../../contract/case-id.js';

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

const isCaseEvent = (e: Recorded): e is Extract<Recorded, CaseEvent> => isCaseEventType(e.type);

/**
 * Loads a case, decides, appends with the version it decided on, and retries after reloading when
 * someone else appended first. Case state is cached so the hot path (resends) never reads the log,
 * whichever replica first saw the alert: after a duplicate the case's real state is loaded and
 * cached. Commands on one case run one at a time in this process, so concurrent resends of a case
 * this process has not cached share one append and one load.
 */
export class CaseCommandHandler {
  private readonly cache: LRUCache<string, Cached> | undefined;
  /** Tail of each case's queue of commands in flight here; absent when none is. */
  private readonly turns = new Map<string, Promise<unknown>>();

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
    // A resend of what the cached state already says needs neither I/O nor a turn.
    const cached = this.cache?.get(aggregate);
    if (cached && nothingNew(command, cached.state)) {
      return { events: [], version: cached.version, duplicate: false };
    }
    return this.inTurn(aggregate, () => this.decideAndAppend(aggregate, command, commandId, correlationId));
  }

  /** Current state of a case, read from the log (and cached). */
  async load(aggregate: string): Promise<Cached> {
    const { version, events } = await this.store.readAggregate(aggregate);
    const state = events.reduce((s, e) => (isCaseEvent(e) ? evolve(s, e) : s), initialState());
    const entry = { state, version };
    if (version > 0) this.cache?.set(aggregate, entry);
    return entry;
  }

  private decideAndAppend(
    aggregate: string,
    command: CaseCommand,
    commandId: string,
    correlationId: string | null,
  ): Promise<HandleResult> {
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
        let res;
        try {
          res = await this.store.append(aggregate, events, {
            expectedVersion: cached.version,
            commandId,
            correlationId,
          });
        } catch (e) {
          this.cache?.delete(aggregate);
          throw e;
        }
        if (res.duplicate) {
          // Stored before (an earlier try, another replica, the other half of an HA pair); what
          // came after it is unknown here. Learn the case as it is, so its resends stay cached.
          // The command is absorbed either way: a failed read only leaves the case uncached.
          this.cache?.delete(aggregate);
          await this.load(aggregate).catch(() => undefined);
        } else {
          this.cache?.set(aggregate, { state: events.reduce(evolve, cached.state), version: res.seq });
        }
        return { events: res.events, version: res.seq, duplicate: res.duplicate };
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

  /** Runs work after every earlier command on the same case in this process has finished. */
  private inTurn<T>(aggregate: string, work: () => Promise<T>): Promise<T> {
    const before = this.turns.get(aggregate);
    const result = before ? before.then(work, work) : work();
    const tail = result.catch(() => undefined);
    this.turns.set(aggregate, tail);
    void tail.then(() => {
      if (this.turns.get(aggregate) === tail) this.turns.delete(aggregate);
    });
    return result;
  }
}

/** True when the command changes nothing in this state; an error is left for the full path to report. */
function nothingNew(command: CaseCommand, state: CaseState): boolean {
  try {
    return decide(command, state).length === 0;
  } catch {
    return false;
  }
}
