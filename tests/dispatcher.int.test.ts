import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AckPolicy } from 'nats';
import { buildApp } from '../src/http/app.js';
import { startProjectors } from '../src/runtime/projectors.js';
import { jobSchema } from '../src/nats/job.js';
import { testContext } from './support/context.js';
import { alertmanagerFixtures } from './fixtures.js';

type Ctx = Awaited<ReturnType<typeof testContext>>;

describe('dispatcher', () => {
  let ctx: Ctx;
  beforeAll(async () => {
    ctx = await testContext();
  });
  afterAll(async () => ctx.dispose());

  const queued = async () =>
    (await ctx.nc.jetstreamManager()).streams.info(ctx.config.JETSTREAM_STREAM).then((i) => i.state.messages);

  it('queues exactly one job per InvestigationRequested, and none again after a restart', async () => {
    const app = buildApp(ctx);
    for (const f of alertmanagerFixtures())
      await app.inject({ method: 'POST', url: '/alerts', payload: f.body });
    await app.close();
    const requested = new Set<string>();
    const head = await ctx.store.headSeq();
    const sub = ctx.store.subscribe({
      fromSeq: 1,
      onBatch: async (events) => {
        for (const e of events) if (e.type === 'InvestigationRequested') requested.add(e.id);
      },
    });

    let runners = startProjectors(ctx);
    await Promise.all(runners.map((r) => r.waitFor(head)));
    await sub.stop();
    expect(requested.size).toBeGreaterThan(0);
    expect(await queued()).toBe(requested.size);

    // A restart that re-reads from an older checkpoint re-sends; the event id as Nats-Msg-Id absorbs it.
    await Promise.all(runners.map((r) => r.stop()));
    await ctx.pool.query(`UPDATE projection_checkpoints SET position = 0 WHERE name = 'dispatcher'`);
    runners = startProjectors(ctx);
    await Promise.all(runners.map((r) => r.waitFor(head)));
    await Promise.all(runners.map((r) => r.stop()));
    expect(await queued()).toBe(requested.size);

    // What a worker will read: a valid job per request, carrying the event id as its message id.
    const jsm = await ctx.nc.jetstreamManager();
    await jsm.consumers.add(ctx.config.JETSTREAM_STREAM, {
      durable_name: 'T',
      ack_policy: AckPolicy.Explicit,
    });
    const consumer = await ctx.nc.jetstream().consumers.get(ctx.config.JETSTREAM_STREAM, 'T');
    const batch = await consumer.fetch({ max_messages: 100, expires: 1000 });
    const seen: string[] = [];
    for await (const m of batch) {
      const job = jobSchema.parse(m.json());
      expect(m.headers?.get('Nats-Msg-Id')).toBe(job.eventId);
      seen.push(job.eventId);
      m.ack();
    }
    expect(new Set(seen)).toEqual(requested);
  });

  it('queues the jobs behind a message it cannot decode, and sets that message aside', async () => {
    const c = await testContext();
    try {
      const raw = await c.nc
        .jetstream()
        .publish(
          `${c.config.EVENTS_SUBJECT_PREFIX}.case.garbled`,
          new TextEncoder().encode('\u0000 not a commit'),
        );
      const { seq } = await c.store.append(
        'case.after-garbled',
        [
          {
            type: 'InvestigationRequested',
            data: {
              investigationId: 'inv-after-garbled',
              episode: 1,
              reason: 'new_episode',
              anchor: '2026-11-01T10:00:00.000Z',
              requestedBy: null,
            },
          },
        ],
        { expectedVersion: 0, commandId: 'after-garbled' },
      );
      const runners = startProjectors(c);
      try {
        await Promise.all(runners.map((r) => r.waitFor(seq, 15_000)));
      } finally {
        await Promise.all(runners.map((r) => r.stop()));
      }
      const info = await (await c.nc.jetstreamManager()).streams.info(c.config.JETSTREAM_STREAM);
      expect(info.state.messages).toBe(1);
      const { rows } = await c.pool.query<{ seq: string; event_type: string }>(
        "SELECT seq, event_type FROM projection_set_aside WHERE projector = 'dispatcher'",
      );
      expect(rows).toEqual([{ seq: String(raw.seq), event_type: '(unreadable)' }]);
    } finally {
      await c.dispose();
    }
  });
});
