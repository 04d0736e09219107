import { describe, expect, it } from 'vitest';
import { MemoryEventStore } from '../../events/memory-event-store.js';
import { ChatCommandHandler } from './handler.js';
import type { ChatCommand } from './commands.js';

const post = (turnId: string, requireCase = true): ChatCommand => ({
  type: 'PostTurn',
  turnId,
  author: 'ana',
  text: 'summary',
  now: new Date().toISOString(),
  perMinute: 100,
  requireCase,
});
const fired = {
  type: 'AlertFired',
  data: {
    fingerprint: 'f',
    episode: 1,
    startsAt: new Date().toISOString(),
    labels: {},
    annotations: {},
    generatorURL: null,
    notification: { receiver: null, groupKey: null, truncatedAlerts: 0, reason: null },
  },
};

describe('chat command handler', () => {
  it('decides on the log, not on what it kept, when someone else wrote meanwhile', async () => {
    const store = new MemoryEventStore();
    const a = new ChatCommandHandler(store);
    const b = new ChatCommandHandler(store);
    // Refused while the case does not exist; accepted once it does, though a tried it before.
    await expect(a.handle('case.c1', post('t1'), 'c1')).rejects.toMatchObject({ code: 'TARKA_NOT_FOUND' });
    await store.append('case.c1', [fired], { expectedVersion: 0, commandId: 'fire' });
    expect(await a.handle('case.c1', post('t1'), 'p1')).toHaveLength(1);
    // b posts in between: a's kept state is stale, its next post still lands (after a reload).
    expect(await b.handle('case.c1', post('t2'), 'p2')).toHaveLength(1);
    expect(await a.handle('case.c1', post('t3'), 'p3')).toHaveLength(1);
    // A tool call for a turn a has not seen yet is not dropped as unknown.
    const c = new ChatCommandHandler(store);
    await c.load('case.c1');
    expect(await b.handle('case.c1', post('t4'), 'p4')).toHaveLength(1);
    const start: ChatCommand = {
      type: 'StartToolCall',
      turnId: 't4',
      callId: 't4-1',
      tool: 'case_report',
      request: 'r',
    };
    expect(await c.handle('case.c1', start, 's4')).toHaveLength(1);
    const { events } = await store.readAggregate('case.c1');
    expect(events.map((e) => e.type)).toEqual([
      'AlertFired',
      'ChatMessagePosted',
      'ChatMessagePosted',
      'ChatMessagePosted',
      'ChatMessagePosted',
      'ChatToolCallStarted',
    ]);
  });
});
