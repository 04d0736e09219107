import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/http/app.js';
import { startProjectors } from '../../src/runtime/projectors.js';
import { ProjectorRunner } from '../../src/projections/engine/runner.js';
import { replayProjection } from '../../src/projections/engine/replay.js';
import { chatProjection } from '../../src/projections/chat/projection.js';
import { chatAnswerer } from '../../src/reactors/chat-answerer.js';
import { waitFor } from '../../src/events/event-store.contract.js';
import type { ChatThread } from '../../src/contract/chat.js';
import { alertPayload, caseId } from '../console/fixtures.js';
import { testContext } from '../support/context.js';

// Chat turns are events: the read model rebuilds equal row for row, and a question asked while
// nothing answers (a crash) is answered once the answerer is back, exactly once.

type Ctx = Awaited<ReturnType<typeof testContext>>;

describe('chat threads as events', () => {
  let ctx: Ctx;
  let app: FastifyInstance;
  let runners: ProjectorRunner[];
  const deps = () => ({ pool: ctx.pool, store: ctx.store, log: ctx.log });
  const answerer = () =>
    chatAnswerer({ config: ctx.config, store: ctx.store, readPool: ctx.readPool, handler: ctx.handler });
  const chatRows = async () => {
    const all = async (table: string, order: string) =>
      (await ctx.pool.query(`SELECT row_to_json(t)::text AS r FROM ${table} t ORDER BY ${order}`)).rows.map(
        (r) => r.r as string,
      );
    return { turns: await all('chat_turns', 'turn_id'), calls: await all('chat_calls', 'call_id') };
  };
  const ask = async (url: string, text: string) => {
    const res = await app.inject({ method: 'POST', url, payload: { text } });
    expect(res.statusCode, res.body).toBe(202);
    return (res.json() as { turnId: string }).turnId;
  };
  const answered = (url: string, turnId: string) =>
    waitFor(async () => {
      const t = ((await app.inject(url)).json() as ChatThread).turns.find((x) => x.turnId === turnId);
      return t?.status === 'answered';
    }, 20_000);

  beforeAll(async () => {
    ctx = await testContext({ CHAT_TURNS_PER_MINUTE: '100' });
    app = buildApp(ctx);
    runners = startProjectors(ctx);
    // The chat answerer runs in the worker role; here it runs on its own.
    runners.push(new ProjectorRunner(deps(), answerer()).start());
    const res = await app.inject({
      method: 'POST',
      url: '/alerts',
      payload: alertPayload([
        {
          fingerprint: 'rep00001',
          labels: { alertname: 'KubeJobFailed', namespace: 'batch', job_name: 'nightly' },
        },
        {
          fingerprint: 'rep00002',
          labels: { alertname: 'KubeJobFailed', namespace: 'batch', job_name: 'hourly' },
        },
      ]),
    });
    expect(res.statusCode).toBe(202);
  }, 60_000);

  afterAll(async () => {
    await Promise.all((runners ?? []).map((r) => r.stop()));
    await app?.close();
    await ctx?.dispose();
  });

  it('rebuilds the chat read model equal row for row', async () => {
    const url = `/api/cases/${caseId('rep00001')}/chat`;
    for (const q of ['summary', 'why this score?', 'tail the logs', 'hello?'])
      await answered(url, await ask(url, q));
    for (const q of ['how many cases?', 'top noisy alerts', 'find case KubeJobFailed'])
      await answered('/api/chat', await ask('/api/chat', q));
    const chat = runners.find((r) => r.projection.name === 'chat')!;
    await chat.waitFor(await ctx.store.headSeq());
    const before = await chatRows();
    expect(before.turns.length).toBe(7);
    expect(before.calls.length).toBeGreaterThanOrEqual(6);
    const result = await replayProjection(deps(), chatProjection);
    expect(result.messages).toBe(await ctx.store.headSeq());
    expect(await chatRows()).toEqual(before);
  }, 60_000);

  it('answers a question asked while no answerer ran, once, after it starts again', async () => {
    const running = runners.find((r) => r.projection.name === 'chat-answerer')!;
    await running.stop();
    const id = caseId('rep00002');
    const url = `/api/cases/${id}/chat`;
    const turnId = await ask(url, 'what is going on?');
    await new Promise((r) => setTimeout(r, 500));
    const pending = ((await app.inject(url)).json() as ChatThread).turns.find((t) => t.turnId === turnId);
    expect(pending?.status ?? 'pending').toBe('pending');
    // The restart: a new runner of the same reactor resumes from its checkpoint.
    const again = new ProjectorRunner(deps(), answerer()).start();
    runners.push(again);
    await answered(url, turnId);
    // Delivered again (a redelivery, a second replica): nothing more is written.
    const { events } = await ctx.store.readAggregate(`case.${id}`);
    const posted = events.filter((e) => e.type === 'ChatMessagePosted');
    await chatAnswerer({
      config: ctx.config,
      store: ctx.store,
      readPool: ctx.readPool,
      handler: ctx.handler,
    }).react(posted);
    const after = (await ctx.store.readAggregate(`case.${id}`)).events;
    expect(after.filter((e) => e.type === 'ChatAnswerPosted').length).toBe(1);
    expect(after.length).toBe(events.length);
    // The turn is on the case's own stream with its whole family of events.
    expect(after.filter((e) => e.type.startsWith('Chat')).map((e) => e.type)).toEqual([
      'ChatMessagePosted',
      'ChatToolCallStarted',
      'ChatToolCallFinished',
      'ChatAnswerPosted',
    ]);
  }, 60_000);
  it('takes a retried POST with the same Idempotency-Key as the same turn, in its own thread only', async () => {
    const post = (id: string) =>
      app.inject({
        method: 'POST',
        url: `/api/cases/${caseId(id)}/chat`,
        payload: { text: 'summary' },
        headers: { 'idempotency-key': 'retry-key-0001' },
      });
    const first = (await post('rep00001')).json() as { turnId: string };
    const again = (await post('rep00001')).json() as { turnId: string };
    const elsewhere = (await post('rep00002')).json() as { turnId: string };
    expect(again.turnId).toBe(first.turnId);
    expect(elsewhere.turnId).not.toBe(first.turnId);
    expect(first.turnId).not.toBe('retry-key-0001');
    const { events } = await ctx.store.readAggregate(`case.${caseId('rep00001')}`);
    const posted = events.filter((e) => e.type === 'ChatMessagePosted' && e.data.turnId === first.turnId);
    expect(posted).toHaveLength(1);
  });
});
