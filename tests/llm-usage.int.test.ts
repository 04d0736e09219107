import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../src/http/app.js';
import { startProjectors } from '../src/runtime/projectors.js';
import type { ProjectorRunner } from '../src/projections/engine/runner.js';
import type { InvestigationEnrichment } from '../src/contract/enrichment.js';
import type { LlmUsageView } from '../src/contract/enrichment.js';
import { spentOn } from '../src/projections/llm-usage/queries.js';
import { llmUsageProjection } from '../src/projections/llm-usage/projection.js';
import { replayProjection } from '../src/projections/engine/replay.js';
import { DailyBudget } from '../src/llm/budget.js';
import { testContext } from './support/context.js';
import { alertmanagerFixtures } from './fixtures.js';
import { labelsFingerprint } from '../src/ingest/alertmanager-payload.js';

// The llm_usage read model: each recorded LLM call with its tokens and cost, summed per day and
// model for the dashboard, and read back by the daily budget of every replica.

type Ctx = Awaited<ReturnType<typeof testContext>>;

describe('llm_usage read model', () => {
  let ctx: Ctx;
  let app: FastifyInstance;
  let runners: ProjectorRunner[];

  beforeAll(async () => {
    ctx = await testContext({ LLM_DAILY_BUDGET_USD: '0.05' });
    app = buildApp(ctx);
    runners = startProjectors(ctx);
  });
  afterAll(async () => {
    await Promise.all(runners.map((r) => r.stop()));
    await app.close();
    await ctx.dispose();
  });

  /** A case whose investigation completed, with one enrichment recorded. */
  async function enriched(
    usage: InvestigationEnrichment['usage'],
    error: InvestigationEnrichment['error'] = null,
  ) {
    const f = alertmanagerFixtures()[0]!.body;
    const { fingerprint: _fp, ...a } = f.alerts[0]!;
    const labels = { ...(a.labels as Record<string, string>), run: randomUUID() };
    const id = labelsFingerprint(labels);
    await app.inject({
      method: 'POST',
      url: '/alerts',
      payload: { ...f, alerts: [{ ...a, fingerprint: id, labels }] },
    });
    const { events } = await ctx.store.readAggregate(`case.${id}`);
    const inv = (events.find((e) => e.type === 'InvestigationRequested')!.data as { investigationId: string })
      .investigationId;
    const h = ctx.handler;
    await h.handle(
      id,
      { type: 'StartInvestigation', investigationId: inv, worker: 'w', attempt: 1 },
      randomUUID(),
    );
    await h.handle(
      id,
      {
        type: 'CompleteInvestigation',
        investigationId: inv,
        anchor: new Date().toISOString(),
        report: null as never,
      },
      randomUUID(),
    );
    const enrichment: InvestigationEnrichment = {
      investigationId: inv,
      provider: 'anthropic',
      model: 'claude-haiku-4-5',
      claims: [],
      flagged: [],
      redaction: { pii: true, counts: {}, total: 0 },
      usage,
      error,
      note: null,
    };
    const r = await h.handle(id, { type: 'RecordEnrichment', enrichment }, randomUUID());
    expect(r.events.map((e) => e.type)).toEqual(['InvestigationEnriched']);
  }

  it('sums known tokens and cost per day and model, counts unknown usage apart, and feeds the budget', async () => {
    await enriched({ inputTokens: 20_000, outputTokens: 2_000, costUsd: 0.03 });
    await enriched({ inputTokens: 10_000, outputTokens: 1_000, costUsd: 0.015 });
    await enriched({ inputTokens: null, outputTokens: null, costUsd: null });
    await enriched(
      { inputTokens: null, outputTokens: null, costUsd: null },
      { code: 'TARKA_LLM_TIMEOUT', message: 'no answer within 60 s' },
    );
    await runners[0]!.waitFor(await ctx.store.headSeq());
    await Promise.all(runners.map(async (r) => r.waitFor(await ctx.store.headSeq())));

    const view = (await app.inject('/api/llm-usage?days=1')).json() as LlmUsageView;
    const today = new Date().toISOString().slice(0, 10);
    expect(view.perDay).toEqual([
      {
        day: today,
        calls: 4,
        failed: 1,
        inputTokens: 30_000,
        outputTokens: 3_000,
        costUsd: 0.045,
        unknownUsage: 2,
      },
    ]);
    expect(view.byModel[0]).toMatchObject({ provider: 'anthropic', model: 'claude-haiku-4-5', calls: 4 });
    expect(view.budgetUsd).toBe(0.05);
    expect(view.spentTodayUsd).toBeCloseTo(0.045);

    expect(await spentOn(ctx.readPool, today)).toBeCloseTo(0.045);
    const budget = new DailyBudget(0.05, { spentOn: (day) => spentOn(ctx.readPool, day) });
    expect(await budget.refusal()).toBeNull();
    await enriched({ inputTokens: 10_000, outputTokens: 1_000, costUsd: 0.01 });
    await Promise.all(runners.map(async (r) => r.waitFor(await ctx.store.headSeq())));
    expect(await budget.refusal()).toMatch(/daily LLM budget of \$0\.05 spent/);
  });

  it('rebuilds with replay equal row for row', async () => {
    const rows = async () =>
      (await ctx.pool.query('SELECT * FROM llm_usage ORDER BY event_id')).rows as Record<string, unknown>[];
    const before = await rows();
    expect(before.length).toBeGreaterThanOrEqual(5);
    await replayProjection({ pool: ctx.pool, store: ctx.store, log: ctx.log }, llmUsageProjection);
    expect(await rows()).toEqual(before);
  });

  it('refuses a bad range with the field named', async () => {
    const res = await app.inject('/api/llm-usage?days=0');
    expect(res.statusCode).toBe(400);
    expect(res.json().code).toBe('TARKA_BAD_REQUEST');
  });
});
