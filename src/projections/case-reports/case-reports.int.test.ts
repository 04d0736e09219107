import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { ProjectorRunner } from '../engine/runner.js';
import { replayProjection } from '../engine/replay.js';
import { reportsProjection } from './projection.js';
import { getCaseReport } from './queries.js';
import { testContext } from '../../../tests/support/context.js';
import { randomHistory } from '../../../tests/support/history.js';

type Ctx = Awaited<ReturnType<typeof testContext>>;

describe('case_reports read model', () => {
  let ctx: Ctx;
  let live: ProjectorRunner;
  const deps = () => ({ pool: ctx.pool, store: ctx.store, log: ctx.log });
  const rows = async () =>
    (
      await ctx.pool.query(`SELECT row_to_json(t)::text AS r FROM case_reports t ORDER BY investigation_id`)
    ).rows.map((r) => r.r as string);

  beforeAll(async () => {
    ctx = await testContext();
    live = new ProjectorRunner(deps(), reportsProjection, { batchSize: 40 }).start();
  });
  afterAll(async () => {
    await live.stop();
    await ctx.dispose();
  });

  it('keeps one row per finished investigation, equal after `replay`', async () => {
    await randomHistory(ctx.handler, { cases: 30, steps: 600, seed: 11 });
    await live.waitFor(await ctx.store.headSeq());
    const before = await rows();
    expect(before.length).toBeGreaterThan(3);
    // Some reports were revised (ReportRevised): the row serves version 2 and what it replaced.
    const revised = before.map((r) => JSON.parse(r)).filter((r) => r.version === 2);
    expect(revised.length).toBeGreaterThan(0);
    expect(revised[0].revision).toMatchObject({ reason: 'history', previous: { version: 1 } });
    await replayProjection(deps(), reportsProjection);
    expect(await rows()).toEqual(before);
  });

  it("serves the current investigation's report, else the latest one finished", async () => {
    const id = `rep-${randomUUID()}`;
    const now = new Date().toISOString();
    const run = (cmd: Parameters<Ctx['handler']['handle']>[1]) => ctx.handler.handle(id, cmd, randomUUID());
    await run({
      type: 'ReceiveAlert',
      alert: {
        fingerprint: id,
        status: 'firing',
        labels: { alertname: 'X' },
        annotations: {},
        startsAt: now,
        endsAt: null,
        generatorURL: null,
      },
      notification: { receiver: 'tarka', groupKey: null, truncatedAlerts: 0, reason: null },
      investigationId: `${id}-1`,
    });
    const finish = (inv: string, family: string) =>
      run({
        type: 'CompleteInvestigation',
        investigationId: inv,
        anchor: now,
        report: { family, classification: 'actionable', summary: `${family} report` },
      });
    await run({ type: 'StartInvestigation', investigationId: `${id}-1`, worker: 'w', attempt: 1 });
    await finish(`${id}-1`, 'crashloop');
    await run({ type: 'RequestInvestigation', investigationId: `${id}-2`, by: 'ana' });
    await live.waitFor(await ctx.store.headSeq());

    // The rerun is still going: the case shows the earlier report, and says which one it is.
    const earlier = await getCaseReport(ctx.readPool, id, `${id}-2`);
    expect(earlier).toMatchObject({ investigationId: `${id}-1`, report: { family: 'crashloop' } });

    await run({ type: 'StartInvestigation', investigationId: `${id}-2`, worker: 'w', attempt: 1 });
    await finish(`${id}-2`, 'oom_killed');
    await live.waitFor(await ctx.store.headSeq());
    expect(await getCaseReport(ctx.readPool, id, `${id}-2`)).toMatchObject({
      investigationId: `${id}-2`,
      report: { family: 'oom_killed', summary: 'oom_killed report' },
    });
    expect(await getCaseReport(ctx.readPool, `none-${randomUUID()}`, null)).toBeNull();
  });
});
