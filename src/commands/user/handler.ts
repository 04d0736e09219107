import { randomUUID } from 'node:crypto';
import pRetry from 'p-retry';
import type { UserEvent } from '../../events/auth-events.js';
import type { EventStore } from '../../events/event-store.js';
import type { Recorded } from '../../events/envelope.js';
import { VersionConflict } from '../../shared/errors.js';
import { decideUser, evolveUser, initialUserState, type UserCommand, type UserState } from './decide.js';

/** The user aggregate's name (ids are hex: safe in subjects). */
const userAggregate = (userId: string) => `user.${userId}`;

const isUserEvent = (e: Recorded): e is Recorded & UserEvent =>
  e.type === 'UserAdded' ||
  e.type === 'UserRoleChanged' ||
  e.type === 'UserDisabled' ||
  e.type === 'UserEnabled' ||
  e.type === 'UserPasswordReset';

/** Loads a user from the log, decides, appends with the version it decided on (retried on conflict). */
export class UserCommandHandler {
  constructor(private readonly store: EventStore) {}

  async load(userId: string): Promise<{ state: UserState; version: number }> {
    const { version, events } = await this.store.readAggregate(userAggregate(userId));
    const state = events.filter(isUserEvent).reduce((s, e) => evolveUser(s, e), initialUserState());
    return { state, version };
  }

  async handle(userId: string, command: UserCommand): Promise<{ state: UserState; events: Recorded[] }> {
    return pRetry(
      async () => {
        const { state, version } = await this.load(userId);
        const events = decideUser(command, state);
        if (!events.length) return { state, events: [] };
        const res = await this.store.append(userAggregate(userId), events, {
          expectedVersion: version,
          commandId: randomUUID(),
        });
        return { state: events.reduce((s, e) => evolveUser(s, e), state), events: res.events };
      },
      { retries: 4, minTimeout: 5, shouldRetry: ({ error }) => error instanceof VersionConflict },
    );
  }
}
