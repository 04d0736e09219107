import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { AckPolicy, DiscardPolicy, RetentionPolicy, StorageType } from 'nats';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../src/http/app.js';
import { startProjectors } from '../src/runtime/projectors.js';
import type { ProjectorRunner } from '../src/projections/engine/runner.js';
import { ensureDeadLetterStream, ensureWorkQueue, STREAM_DEFAULTS } from '../src/nats/jetstream-setup.js';
import { waitFor } from '../src/events/event-store.contract.js';
import { labelsFingerprint } from '../src/ingest/alertmanager-payload.js';
import { testContext } from './support/context.js';
import { alertmanagerFixtures } from './fixtures.js';

type Ctx = Awaited<ReturnType<typeof testContext>>;

describe('job and dead-letter streams are bounded', () => {
  let ctx: Ctx;
  let app: FastifyInstance;
  let runners: ProjectorRunner[] = [];

  beforeAll(async () => {
    ctx = await testContext();
    app = buildApp(ctx);
  });
  afterAll(async () => {
    await Promise.all(runners.map((r) => r.stop()));
    await app.close();
    await ctx.dispose();
  });

  const spec = () => ({
    name: ctx.config.JETSTREAM_STREAM,
    subject: ctx.config.JETSTREAM_SUBJECT,
    replicas: 1,
    duplicateWindowSeconds: 600,
  });

  it('bounds an existing unbounded job queue at start, refusing (not dropping) when full', async () => {
    const jsm = await ctx.nc.jetstreamManager();
    // As created by an older Tarka: no limits at all.
    const before = (await jsm.streams.info(ctx.config.JETSTREAM_STREAM)).config;
    await jsm.streams.update(ctx.config.JETSTREAM_STREAM, { ...before, max_msgs: -1, max_bytes: -1 });
    await ensureWorkQueue(jsm, spec());
    const c = (await jsm.streams.info(ctx.config.JETSTREAM_STREAM)).config;
    expect(c).toMatchObject({
      max_msgs: STREAM_DEFAULTS.maxJobs,
      max_bytes: STREAM_DEFAULTS.maxJobBytes,
      max_age: 0,
      max_msg_size: 1024 * 1024,
      discard: DiscardPolicy.New,
      retention: RetentionPolicy.Workqueue,
    });
  });

  it('makes the dispatcher retry while the job queue is full: no investigation is lost', async () => {
    const jsm = await ctx.nc.jetstreamManager();
    await ensureWorkQueue(jsm, { ...spec(), maxJobs: 1 });
    runners = startProjectors(ctx);
    const f = alertmanagerFixtures()[0]!.body;
    const { fingerprint: _fp, ...a } = f.alerts[0]!;
    const cases: string[] = [];
    for (const pod of ['full-1', 'full-2']) {
      const labels = { ...(a.labels as Record<string, string>), pod, run: randomUUID() };
      cases.push(labelsFingerprint(labels));
      const res = await app.inject({
        method: 'POST',
        url: '/alerts',
        payload: { ...f, alerts: [{ ...a, labels }] },
      });
      expect(res.statusCode).toBe(202);
    }
    const queued = async () => (await jsm.streams.info(ctx.config.JETSTREAM_STREAM)).state.messages;
    await waitFor(async () => (await queued()) === 1, 10_000);

    // A worker takes the one job; the dispatcher's retry then queues the other.
    await jsm.consumers.add(ctx.config.JETSTREAM_STREAM, {
      durable_name: 'TEST',
      ack_policy: AckPolicy.Explicit,
    });
    const consumer = await ctx.nc.jetstream().consumers.get(ctx.config.JETSTREAM_STREAM, 'TEST');
    const seen: string[] = [];
    await waitFor(async () => {
      const m = await consumer.next({ expires: 1000 });
      if (m) {
        seen.push((m.json() as { caseId: string }).caseId);
        m.ack();
      }
      return seen.length === 2;
    }, 20_000);
    expect(seen.sort()).toEqual([...cases].sort());
  });

  it('bounds the dead-letter stream in count, bytes and age, dropping its oldest copies when full', async () => {
    const jsm = await ctx.nc.jetstreamManager();
    const name = `${ctx.config.JETSTREAM_STREAM}_DLQ`;
    await jsm.streams.add({
      name,
      subjects: [`${ctx.config.JETSTREAM_SUBJECT}.dead`],
      storage: StorageType.File,
      retention: RetentionPolicy.Limits,
    });
    await ensureDeadLetterStream(jsm, {
      name,
      subject: `${ctx.config.JETSTREAM_SUBJECT}.dead`,
      replicas: 1,
      maxMessages: 2,
      maxAgeMs: 3_600_000,
    });
    const c = (await jsm.streams.info(name)).config;
    expect(c).toMatchObject({
      max_msgs: 2,
      max_bytes: STREAM_DEFAULTS.deadLetterBytes,
      max_age: 3_600_000 * 1_000_000,
      discard: DiscardPolicy.Old,
    });
    const js = ctx.nc.jetstream();
    for (const n of [1, 2, 3]) await js.publish(`${ctx.config.JETSTREAM_SUBJECT}.dead`, `dead ${n}`);
    const state = (await jsm.streams.info(name)).state;
    expect({ messages: state.messages, first: state.first_seq }).toEqual({ messages: 2, first: 2 });
  });
});
