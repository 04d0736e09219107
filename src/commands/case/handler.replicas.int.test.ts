import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { EventStore, SubscribeOptions } from '../../events/event-store.js';
import { freshEventStream, type TestStream } from '../../../tests/support/jetstream.js';
import { CaseCommandHandler } from './handler.js';
import type { CaseCommand } from './commands.js';

/** The real store, counting the round trips a handler asks of it. */
class CountingStore implements EventStore {
  appends = 0;
  reads = 0;
  constructor(private readonly inner: EventStore) {}
  append(...args: Parameters<EventStore['append']>) {
    this.appends++;
    return this.inner.append(...args);
  }
  readAggregate(aggregate: string) {
    this.reads++;
    return this.inner.readAggregate(aggregate);
  }
  headSeq() {
    return this.inner.headSeq();
  }
  subscribe(options: SubscribeOptions) {
    return this.inner.subscribe(options);
  }
  close() {
    return this.inner.close();
  }
  get trips() {
    return this.appends + this.reads;
  }
}

// As the webhook builds them: the command id is derived from fingerprint, startsAt and status.
const alert = (startsAt: string, status: 'firing' | 'resolved' = 'firing') => {
  const command: CaseCommand = {
    type: 'ReceiveAlert',
    alert: {
      fingerprint: 'fp1',
      status,
      labels: { alertname: 'KubePodCrashLooping' },
      annotations: {},
      startsAt,
      endsAt: null,
      generatorURL: null,
    },
    notification: { receiver: 'tarka', groupKey: 'g', truncatedAlerts: 0, reason: null },
    investigationId: `inv-${startsAt}`,
  };
  return [command, `am:fp1:${Date.parse(startsAt)}:${status}`] as const;
};

describe('case command handler on two replicas of one JetStream stream', () => {
  let s: TestStream;
  let a: CountingStore;
  let b: CountingStore;
  let replicaA: CaseCommandHandler;
  let replicaB: CaseCommandHandler;
  beforeEach(async () => {
    s = await freshEventStream();
    a = new CountingStore(s.store);
    b = new CountingStore(s.store);
    replicaA = new CaseCommandHandler(a);
    replicaB = new CaseCommandHandler(b);
  });
  afterEach(() => s.cleanup());

  it('serves resends from the cache on the replica that did not see the alert first', async () => {
    const [fired, firedId] = alert('2026-03-01T10:00:00Z');
    expect((await replicaA.handle('fp1', fired, firedId)).events.map((e) => e.type)).toEqual([
      'AlertFired',
      'InvestigationRequested',
    ]);
    // The other replica's first copy is absorbed by JetStream's duplicate window...
    expect((await replicaB.handle('fp1', fired, firedId)).duplicate).toBe(true);
    // ...and every later resend, on either replica, costs no round trip at all.
    const before = b.trips + a.trips;
    for (let i = 0; i < 20; i++) await (i % 2 ? replicaA : replicaB).handle('fp1', fired, firedId);
    expect(b.trips + a.trips - before).toBe(0);
    expect(await s.store.headSeq()).toBe(1);
  });

  it('lets concurrent resends of a case it has not seen share one append and one load', async () => {
    const [fired, firedId] = alert('2026-03-01T10:00:00Z');
    await replicaA.handle('fp1', fired, firedId);
    const results = await Promise.all(
      Array.from({ length: 32 }, () => replicaB.handle('fp1', fired, firedId)),
    );
    expect(results.filter((r) => r.duplicate)).toHaveLength(1);
    expect({ appends: b.appends, reads: b.reads }).toEqual({ appends: 1, reads: 1 });
  });

  it('still appends a resolve and a newer episode, whichever replica gets them', async () => {
    const [fired, firedId] = alert('2026-03-01T10:00:00Z');
    const [resolved, resolvedId] = alert('2026-03-01T10:00:00Z', 'resolved');
    const [refired, refiredId] = alert('2026-03-02T08:00:00Z');
    await replicaA.handle('fp1', fired, firedId);
    await replicaB.handle('fp1', fired, firedId); // duplicate: B learns the case
    // B resolves; A's cache still says firing, so A's copy of the resolve is a duplicate too.
    expect((await replicaB.handle('fp1', resolved, resolvedId)).events.map((e) => e.type)).toEqual([
      'AlertResolved',
    ]);
    expect((await replicaA.handle('fp1', resolved, resolvedId)).duplicate).toBe(true);
    // A new episode through the replica that learned last; the other one's resend is absorbed.
    expect((await replicaA.handle('fp1', refired, refiredId)).events.map((e) => e.type)).toEqual([
      'AlertFired',
      'InvestigationRequested',
    ]);
    expect((await replicaB.handle('fp1', refired, refiredId)).duplicate).toBe(true);
    // Both replicas now know the whole case: late resends of either episode cost nothing.
    const before = a.trips + b.trips;
    for (const h of [replicaA, replicaB])
      for (const [cmd, id] of [alert('2026-03-01T10:00:00Z', 'resolved'), alert('2026-03-02T08:00:00Z')])
        await h.handle('fp1', cmd, id);
    expect(a.trips + b.trips - before).toBe(0);
    expect((await s.store.readAggregate('case.fp1')).events.map((e) => e.type)).toEqual([
      'AlertFired',
      'InvestigationRequested',
      'AlertResolved',
      'AlertFired',
      'InvestigationRequested',
    ]);
  });
});
