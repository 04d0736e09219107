import pRetry from 'p-retry';
import { LRUCache } from 'lru-cache';
import { VersionConflict } from '../../shared/errors.js';
import type { EventStore } from '../../events/event-store.js';
import { isIncidentEventType, type IncidentEvent } from '../../events/incident-events.js';
import type { Recorded } from '../../events/envelope.js';
import { incidentAggregate } from '../../contract/incident-id.js';
import type { IncidentCommand } from './commands.js';
import { decideIncident } from './decide.js';
import { evolveIncident, initialIncident, type IncidentState } from './state.js';

export interface IncidentResult {
  events: Recorded[];
  state: IncidentState;
  version: number;
  duplicate: boolean;
}

const isIncidentEvent = (e: Recorded): e is Extract<Recorded, IncidentEvent> => isIncidentEventType(e.type);

/**
 * Loads an incident, decides, appends with the version it decided on; on a conflict (another
 * replica, a worker joining the same storm) reloads and decides again. Commands on one incident run
 * one at a time in this process: a storm is hundreds of joins on one aggregate.
 */
export class IncidentCommandHandler {
  private readonly cache = new LRUCache<string, { state: IncidentState; version: number }>({ max: 10_000 });
  private readonly turns = new Map<string, Promise<unknown>>();

  constructor(private readonly store: EventStore) {}

  async load(incidentId: string): Promise<{ state: IncidentState; version: number }> {
    const { version, events } = await this.store.readAggregate(incidentAggregate(incidentId));
    const state = events.reduce((s, e) => (isIncidentEvent(e) ? evolveIncident(s, e) : s), initialIncident());
    const entry = { state, version };
    if (version > 0) this.cache.set(incidentId, entry);
    return entry;
  }

  /** The cached state when known, else read from the log. */
  async current(incidentId: string) {
    return this.cache.get(incidentId) ?? this.load(incidentId);
  }

  handle(incidentId: string, command: IncidentCommand, commandId: string): Promise<IncidentResult> {
    return this.inTurn(incidentId, () =>
      pRetry(
        async () => {
          const cur = await this.current(incidentId);
          const events = decideIncident(command, cur.state);
          if (events.length === 0)
            return { events: [], state: cur.state, version: cur.version, duplicate: false };
          let res;
          try {
            res = await this.store.append(incidentAggregate(incidentId), events, {
              expectedVersion: cur.version,
              commandId,
            });
          } catch (e) {
            this.cache.delete(incidentId);
            throw e;
          }
          if (res.duplicate) {
            this.cache.delete(incidentId);
            const again = await this.load(incidentId);
            return { events: [], state: again.state, version: again.version, duplicate: true };
          }
          const state = events.reduce(evolveIncident, cur.state);
          this.cache.set(incidentId, { state, version: res.seq });
          return { events: res.events, state, version: res.seq, duplicate: false };
        },
        {
          retries: 30,
          minTimeout: 2,
          maxTimeout: 100,
          factor: 1.5,
          randomize: true,
          shouldRetry: ({ error }) => error instanceof VersionConflict,
        },
      ),
    );
  }

  private inTurn<T>(key: string, work: () => Promise<T>): Promise<T> {
    const before = this.turns.get(key);
    const result = before ? before.then(work, work) : work();
    const tail = result.catch(() => undefined);
    this.turns.set(key, tail);
    void tail.then(() => {
      if (this.turns.get(key) === tail) this.turns.delete(key);
    });
    return result;
  }
}
