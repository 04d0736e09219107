import { describe, expect, it, vi } from 'vitest';
import { MemoryEventStore } from '../../events/memory-event-store.js';
import { CaseCommandHandler } from './handler.js';
import type { CaseCommand } from './commands.js';

const cmd = (startsAt: string, status: 'firing' | 'resolved' = 'firing'): CaseCommand => ({
  type: 'ReceiveAlert',
  alert: {
    fingerprint: 'f1',
    status,
    labels: { alertname: 'A' },
    annotations: {},
    startsAt,
    endsAt: null,
    generatorURL: null,
  },
  notification: { receiver: null, groupKey: null, truncatedAlerts: 0, reason: null },
  investigationId: `inv-${startsAt}`,
});

describe('case command handler', () => {
  it('retries after reloading when another writer appended first', async () => {
    const store = new MemoryEventStore();
    const a = new CaseCommandHandler(store);
    const b = new CaseCommandHandler(store);
    await a.handle('c1', cmd('2026-01-01T00:00:00Z'), 'k1');
    // b has not seen the case: its optimistic create conflicts, it reloads, and decides "nothing new".
    const res = await b.handle('c1', cmd('2026-01-01T00:00:00Z'), 'k2');
    expect(res.events).toEqual([]);
    // a's cache is stale after b resolves; a's next decision conflicts, reloads, and still lands right.
    await b.handle('c1', cmd('2026-01-01T00:00:00Z', 'resolved'), 'k3');
    const refire = await a.handle('c1', cmd('2026-01-02T00:00:00Z'), 'k4');
    expect(refire.events.map((e) => e.type)).toEqual(['AlertFired', 'InvestigationRequested']);
    expect((await store.readAggregate('case.c1')).events.map((e) => e.type)).toEqual([
      'AlertFired',
      'InvestigationRequested',
      'AlertResolved',
      'AlertFired',
      'InvestigationRequested',
    ]);
  });

  it('serves repeated decisions from its cache without reading the log', async () => {
    const store = new MemoryEventStore();
    const h = new CaseCommandHandler(store);
    await h.handle('c2', cmd('2026-01-01T00:00:00Z'), 'k1');
    const read = vi.spyOn(store, 'readAggregate');
    for (let i = 0; i < 5; i++) await h.handle('c2', cmd('2026-01-01T00:00:00Z'), `r${i}`);
    expect(read).not.toHaveBeenCalled();
  });

  it('reports a retried command as a duplicate and writes nothing new', async () => {
    const store = new MemoryEventStore();
    const first = await new CaseCommandHandler(store).handle('c3', cmd('2026-01-01T00:00:00Z'), 'same');
    const again = await new CaseCommandHandler(store).handle('c3', cmd('2026-01-01T00:00:00Z'), 'same');
    expect(again.duplicate).toBe(true);
    expect(again.version).toBe(first.version);
    expect(await store.headSeq()).toBe(1);
  });

  it('passes errors other than conflicts straight to the caller', async () => {
    const h = new CaseCommandHandler(new MemoryEventStore());
    await expect(h.handle('nope', { type: 'ReopenCase', by: null, note: null }, 'x')).rejects.toMatchObject({
      code: 'TARKA_NOT_FOUND',
    });
  });
});
