import { describe, expect, it } from 'vitest';
import { MemoryEventStore } from '../../events/memory-event-store.js';
import type { EventStore } from '../../events/event-store.js';
import { sharedReading } from './shared-read.js';

/** Counts the subscriptions the real store was asked for. */
function counting(store: EventStore) {
  let reads = 0;
  const counted = new Proxy(store, {
    get(target, prop) {
      if (prop === 'subscribe')
        return (o: Parameters<EventStore['subscribe']>[0]) => {
          reads++;
          return target.subscribe(o);
        };
      const v: unknown = Reflect.get(target, prop, target);
      return typeof v === 'function' ? (v as () => unknown).bind(target) : v;
    },
  });
  return { counted, reads: () => reads };
}

async function seeded(n: number) {
  const store = new MemoryEventStore();
  for (let i = 0; i < n; i++)
    await store.append(`case.c${i}`, [{ type: 'CaseReopened', data: { by: null, note: null } }], {
      expectedVersion: 0,
      commandId: `c${i}`,
    });
  return store;
}

const upTo = (seq: number, seen: number[]) =>
  new Promise<void>((r) => {
    const t = setInterval(() => {
      if (seen.at(-1) === seq) {
        clearInterval(t);
        r();
      }
    }, 5);
  });

describe('one read of the log for several rebuilds', () => {
  it('gives every reader every event from its start, reading the log once', async () => {
    const { counted, reads } = counting(await seeded(50));
    const shared = sharedReading(counted, 2);
    const a: number[] = [];
    const b: number[] = [];
    const subA = shared.subscribe({
      fromSeq: 1,
      batchSize: 7,
      onBatch: async (es) => void a.push(...es.map((e) => e.seq)),
    });
    const subB = shared.subscribe({
      fromSeq: 1,
      batchSize: 7,
      onBatch: async (es) => void b.push(...es.map((e) => e.seq)),
    });
    await Promise.all([upTo(50, a), upTo(50, b)]);
    expect(a).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    expect(b).toEqual(a);
    expect(reads()).toBe(1);
    await Promise.all([subA.stop(), subB.stop()]);
  });

  it('keeps the others reading when one fails, and lets a later subscription read on its own', async () => {
    const { counted, reads } = counting(await seeded(30));
    const shared = sharedReading(counted, 2);
    const ok: number[] = [];
    const failing = shared.subscribe({
      fromSeq: 1,
      batchSize: 5,
      onBatch: async () => {
        throw new Error('read model cannot apply');
      },
    });
    const steady = shared.subscribe({
      fromSeq: 1,
      batchSize: 5,
      onBatch: async (es) => void ok.push(...es.map((e) => e.seq)),
    });
    await expect(failing.done).rejects.toThrow('read model cannot apply');
    await upTo(30, ok);
    expect(ok.length).toBe(30);
    // A runner starting over after its failure reads from its own checkpoint, on its own.
    const again: number[] = [];
    const retry = shared.subscribe({
      fromSeq: 11,
      onBatch: async (es) => void again.push(...es.map((e) => e.seq)),
    });
    await upTo(30, again);
    expect(again[0]).toBe(11);
    expect(reads()).toBe(2);
    await Promise.all([steady.stop(), retry.stop()]);
  });
});
