import { randomUUID } from 'node:crypto';
import type { AuthEvent } from '../events/auth-events.js';
import type { EventStore } from '../events/event-store.js';
import { VersionConflict } from '../shared/errors.js';
import type { Logger } from '../shared/log.js';

type AuditEvent = Extract<
  AuthEvent,
  { type: 'SignedIn' | 'SignInFailed' | 'SignedOut' | 'SessionRevoked' | 'TokenCreated' | 'TokenRevoked' }
>;

/**
 * The audit aggregate of a subject (a user id, or a hash of what a failed sign-in named) on a
 * UTC day: appends from different people never contend, and one person's day stays small.
 */
export function auditAggregate(subject: string, at: Date): string {
  const day = at.toISOString().slice(0, 10).replaceAll('-', '');
  return `audit.${subject}-${day}`;
}

/**
 * Appends audit events. The store has no "append without expectation", so the last version of
 * each aggregate is remembered and a conflict (another replica wrote first) is retried with the
 * version the store reports.
 */
export class AuditLog {
  private readonly versions = new Map<string, number>();

  constructor(
    private readonly store: EventStore,
    private readonly log: Logger,
  ) {}

  async record(subject: string, event: AuditEvent, now = new Date()): Promise<void> {
    const aggregate = auditAggregate(subject, now);
    for (let attempt = 0; attempt < 6; attempt++) {
      const expectedVersion = this.versions.get(aggregate) ?? 0;
      try {
        const res = await this.store.append(aggregate, [event], { expectedVersion, commandId: randomUUID() });
        this.remember(aggregate, res.seq);
        return;
      } catch (e) {
        if (!(e instanceof VersionConflict)) throw e;
        const actual = e.actual ?? (await this.store.readAggregate(aggregate)).version;
        this.remember(aggregate, actual);
      }
    }
    this.log.error({ aggregate, type: event.type }, 'audit event not recorded after retries');
    throw new VersionConflict(aggregate, this.versions.get(aggregate) ?? 0);
  }

  private remember(aggregate: string, version: number) {
    // Bounded: yesterday's aggregates are never written again.
    if (this.versions.size > 10_000) this.versions.clear();
    this.versions.set(aggregate, version);
  }
}
