import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../src/http/app.js';
import { testContext } from './support/context.js';
import { alertmanagerFixtures } from './fixtures.js';

type Ctx = Awaited<ReturnType<typeof testContext>>;

// "Investigate again" through the API: one at a time per case, and INVESTIGATION_RERUNS_PER_HOUR.
describe('investigate again is bounded', () => {
  let ctx: Ctx;
  let app: FastifyInstance;
  const body = alertmanagerFixtures()[0]!.body;
  const id = body.alerts[0]!.fingerprint as string;
  const rerun = (headers: Record<string, string> = {}) =>
    app.inject({ method: 'POST', url: `/api/cases/${id}/rerun`, payload: {}, headers });
  const finishOpen = async () => {
    const { events } = await ctx.store.readAggregate(`case.${id}`);
    const open = events
      .filter((e) => e.type === 'InvestigationRequested')
      .map((e) => (e.data as { investigationId: string }).investigationId)
      .filter(
        (inv) =>
          !events.some(
            (e) =>
              e.type === 'InvestigationCompleted' &&
              (e.data as { investigationId: string }).investigationId === inv,
          ),
      );
    for (const inv of open) {
      await ctx.handler.handle(
        id,
        {
          type: 'CompleteInvestigation',
          investigationId: inv,
          anchor: body.alerts[0]!.startsAt as string,
          report: {},
        },
        `test-complete:${inv}`,
      );
    }
  };

  beforeAll(async () => {
    ctx = await testContext({ INVESTIGATION_RERUNS_PER_HOUR: '2' });
    app = buildApp(ctx);
    expect((await app.inject({ method: 'POST', url: '/alerts', payload: body })).statusCode).toBe(202);
  });
  afterAll(async () => {
    await app.close();
    await ctx.dispose();
  });

  it('answers 429 while the first investigation is still queued', async () => {
    const res = await rerun();
    expect(res.statusCode).toBe(429);
    expect(res.json()).toMatchObject({ code: 'TARKA_RERUN_LIMITED', hint: expect.stringMatching(/wait/) });
  });

  it('allows a rerun once it finished, and a retried click with its Idempotency-Key is the same rerun', async () => {
    await finishOpen();
    const key = { 'idempotency-key': 'rerun-click-0001' };
    const first = await rerun(key);
    expect(first.statusCode).toBe(202);
    const again = await rerun(key);
    expect(again.statusCode).toBe(200);
    expect(again.json()).toMatchObject({ changed: false });
    // Another click (another key) while that rerun is queued: refused.
    expect((await rerun()).json().code).toBe('TARKA_RERUN_LIMITED');
  });

  it('refuses more than INVESTIGATION_RERUNS_PER_HOUR in an hour, saying when to try again', async () => {
    await finishOpen();
    expect((await rerun()).statusCode).toBe(202);
    await finishOpen();
    const res = await rerun();
    expect(res.statusCode).toBe(429);
    expect(res.json().message).toMatch(/2 times in the last hour \(limit 2\)/);
    expect(res.json().hint).toMatch(/try again after \d{4}-\d\d-\d\dT.*INVESTIGATION_RERUNS_PER_HOUR/);
    const reruns = (await ctx.store.readAggregate(`case.${id}`)).events.filter(
      (e) => e.type === 'InvestigationRequested' && (e.data as { reason: string }).reason === 'rerun',
    );
    expect(reruns).toHaveLength(2);
  });
});
