import { describe, expect, it } from 'vitest';
import { eventStoreContract } from '../events/event-store.contract.js';
import { freshEventStream } from '../../tests/support/jetstream.js';
import { checkServerVersion } from './jetstream-setup.js';

eventStoreContract('JetStream', () => freshEventStream());
eventStoreContract('JetStream, reading on a worker thread', () => freshEventStream({ readerThread: true }));

describe('JetStream server check', () => {
  it('refuses a server older than 2.9 with a message that says what to do', () => {
    expect(() => checkServerVersion('2.8.4')).toThrow(/nats-server 2\.8\.4 is too old.*2\.9\.0/);
    expect(() => checkServerVersion('2.9.10')).not.toThrow();
    expect(() => checkServerVersion('2.10.0')).not.toThrow();
  });
});

describe('JetStream stream check', () => {
  it('refuses an existing stream that could lose events, saying what is wrong and what to do', async () => {
    const { connect, RetentionPolicy } = await import('nats');
    const { ensureEventStream, jetStreamManager } = await import('./jetstream-setup.js');
    const { NATS_URL, uniqueName } = await import('../../tests/support/env.js');
    const nc = await connect({ servers: NATS_URL });
    const jsm = await jetStreamManager(nc);
    const name = uniqueName('UNFIT').toUpperCase();
    const prefix = name.toLowerCase().replace(/_/g, '-');
    await jsm.streams.add({
      name,
      subjects: [`${prefix}.>`],
      retention: RetentionPolicy.Limits,
      max_age: 3_600_000_000_000,
    });
    try {
      await expect(
        ensureEventStream(jsm, { name, subjectPrefix: prefix, replicas: 1, duplicateWindowSeconds: 60 }),
      ).rejects.toThrow(/cannot hold Tarka events: .*max_age is set.*deletes or purges are allowed/);
    } finally {
      await jsm.streams.delete(name);
      await nc.close();
    }
  });
});

describe.each([
  ['in process', false],
  ['on a worker thread', true],
])('JetStream reading %s', (_, readerThread) => {
  it('stops at a message that is not a Tarka commit, naming its sequence, and delivers what came before', async () => {
    const s = await freshEventStream({ readerThread });
    try {
      await s.store.append(
        'case.ok',
        [{ type: 'CaseSnoozed', data: { until: '2026-11-27T00:00:00.000Z', by: null, note: null } }],
        {
          expectedVersion: 0,
          commandId: 'c1',
        },
      );
      await s.nc.jetstream().publish(`${s.prefix}.case.bad`, new TextEncoder().encode('{"not":"a commit"}'));
      const seen: number[] = [];
      const sub = s.store.subscribe({
        fromSeq: 1,
        onBatch: async (events) => {
          seen.push(...events.map((e) => e.seq));
        },
      });
      await expect(sub.done).rejects.toMatchObject({
        code: 'TARKA_EVENT_UNREADABLE',
        message: expect.stringMatching(/message 2 is not a Tarka commit/),
      });
      expect(seen).toEqual([1]);
    } finally {
      await s.cleanup();
    }
  });

  it('fails with "event store unavailable" when the stream cannot be read, so the reader retries', async () => {
    const s = await freshEventStream({ readerThread });
    await s.nc.jetstreamManager().then((jsm) => jsm.streams.delete(s.stream));
    try {
      const sub = s.store.subscribe({ fromSeq: 1, onBatch: async () => {} });
      await expect(sub.done).rejects.toMatchObject({ code: 'TARKA_ES_UNAVAILABLE' });
    } finally {
      await s.cleanup();
    }
  });
});
