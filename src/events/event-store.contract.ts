import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VersionConflict } from '../shared/errors.js';
import type { Recorded } from './envelope.js';
import type { EventStore } from './event-store.js';

// One behaviour suite, run against every EventStore adapter (see *.test.ts beside each adapter).

const fired = (fp: string) => ({
  type: 'AlertFired',
  data: {
    fingerprint: fp,
    episode: 1,
    startsAt: '2026-11-26T10:00:00.000Z',
    labels: { alertname: 'X' },
    annotations: {},
    generatorURL: null,
    notification: { receiver: 'r', groupKey: null, truncatedAlerts: 0, reason: null },
  },
});
const resolved = (fp: string) => ({
  type: 'AlertResolved',
  data: {
    fingerprint: fp,
    episode: 1,
    startsAt: '2026-11-26T10:00:00.000Z',
    endsAt: '2026-11-26T10:05:00.000Z',
  },
});
const snoozed = { type: 'CaseSnoozed', data: { until: '2026-11-27T00:00:00.000Z', by: null, note: null } };

export function eventStoreContract(
  name: string,
  setup: () => Promise<{ store: EventStore; cleanup(): Promise<void> }>,
) {
  describe(`EventStore contract: ${name}`, () => {
    let store: EventStore;
    let cleanup: () => Promise<void>;
    const agg = () => `case.${randomUUID().replace(/-/g, '')}`;
    const cmd = () => randomUUID();

    beforeAll(async () => {
      ({ store, cleanup } = await setup());
    });
    afterAll(async () => cleanup());

    it('appends and reads back the events of an aggregate, in order, with their positions', async () => {
      const a = agg();
      const r1 = await store.append(a, [fired('f1')], { expectedVersion: 0, commandId: cmd() });
      const r2 = await store.append(a, [resolved('f1')], { expectedVersion: r1.seq, commandId: cmd() });
      expect(r2.seq).toBeGreaterThan(r1.seq);
      const read = await store.readAggregate(a);
      expect(read.version).toBe(r2.seq);
      expect(read.events.map((e) => [e.type, e.seq, e.index])).toEqual([
        ['AlertFired', r1.seq, 0],
        ['AlertResolved', r2.seq, 0],
      ]);
      expect(read.events[0]!.data).toEqual(fired('f1').data);
      expect(read.events[0]!.aggregate).toBe(a);
    });

    it('reads an unknown aggregate as version 0 with no events', async () => {
      expect(await store.readAggregate(agg())).toEqual({ version: 0, events: [] });
    });

    it('guards creation: a second create of the same aggregate conflicts', async () => {
      const a = agg();
      await store.append(a, [fired('f')], { expectedVersion: 0, commandId: cmd() });
      await expect(
        store.append(a, [fired('f')], { expectedVersion: 0, commandId: cmd() }),
      ).rejects.toBeInstanceOf(VersionConflict);
    });

    it('rejects a stale expected version with a conflict and writes nothing', async () => {
      const a = agg();
      const r1 = await store.append(a, [fired('f')], { expectedVersion: 0, commandId: cmd() });
      await store.append(a, [resolved('f')], { expectedVersion: r1.seq, commandId: cmd() });
      await expect(
        store.append(a, [snoozed], { expectedVersion: r1.seq, commandId: cmd() }),
      ).rejects.toBeInstanceOf(VersionConflict);
      expect((await store.readAggregate(a)).events).toHaveLength(2);
    });

    it('lets exactly one of 50 concurrent appends with the same expectation win', async () => {
      const a = agg();
      const base = await store.append(a, [fired('f')], { expectedVersion: 0, commandId: cmd() });
      const results = await Promise.allSettled(
        Array.from({ length: 50 }, () =>
          store.append(a, [snoozed], { expectedVersion: base.seq, commandId: cmd() }),
        ),
      );
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      const rejected = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
      expect(rejected.every((r) => r.reason instanceof VersionConflict)).toBe(true);
      expect((await store.readAggregate(a)).events).toHaveLength(2);
    });

    it('absorbs a duplicate command id: same sequence, no second event, even with a stale expectation', async () => {
      const a = agg();
      const id = cmd();
      const first = await store.append(a, [fired('f')], { expectedVersion: 0, commandId: id });
      const again = await store.append(a, [fired('f')], { expectedVersion: 0, commandId: id });
      expect(again).toMatchObject({ seq: first.seq, duplicate: true });
      expect(again.events.map((e) => e.id)).toEqual(first.events.map((e) => e.id));
      expect((await store.readAggregate(a)).events).toHaveLength(1);
    });

    it('commits a multi-event decision all together, or not at all', async () => {
      const a = agg();
      const ok = await store.append(a, [fired('f'), snoozed], { expectedVersion: 0, commandId: cmd() });
      expect(ok.events.map((e) => [e.seq, e.index])).toEqual([
        [ok.seq, 0],
        [ok.seq, 1],
      ]);
      await expect(
        store.append(a, [resolved('f'), snoozed, snoozed], { expectedVersion: 0, commandId: cmd() }),
      ).rejects.toBeInstanceOf(VersionConflict);
      const read = await store.readAggregate(a);
      expect(read.events.map((e) => e.type)).toEqual(['AlertFired', 'CaseSnoozed']);
    });

    it('reads everything from a sequence, then delivers live appends after catch-up', async () => {
      const a = agg();
      const before = await store.append(a, [fired('f')], { expectedVersion: 0, commandId: cmd() });
      const mid = await store.append(a, [snoozed], { expectedVersion: before.seq, commandId: cmd() });
      const seen: Recorded[] = [];
      let liveSeq = 0;
      const sub = store.subscribe({
        fromSeq: mid.seq,
        onBatch: async (events) => {
          seen.push(...events);
        },
      });
      await waitFor(() => seen.some((e) => e.seq === mid.seq));
      expect(seen.some((e) => e.seq < mid.seq)).toBe(false);
      liveSeq = (await store.append(a, [resolved('f')], { expectedVersion: mid.seq, commandId: cmd() })).seq;
      await waitFor(() => seen.some((e) => e.seq === liveSeq));
      await sub.stop();
      const mine = seen.filter((e) => e.aggregate === a).map((e) => e.seq);
      expect(mine).toEqual([mid.seq, liveSeq]);
      const seqs = seen.map((e) => e.seq);
      expect([...seqs].sort((x, y) => x - y)).toEqual(seqs);
      expect(await store.headSeq()).toBeGreaterThanOrEqual(liveSeq);
    });
  });
}

export async function waitFor(cond: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > until) throw new Error('condition not reached in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}
