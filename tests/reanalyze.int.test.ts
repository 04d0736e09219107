import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../src/http/app.js';
import { analyze } from '../src/analysis/analyze.js';
import { createToolkit } from '../src/investigation/toolkit.js';
import { investigate, type Step } from '../src/investigation/investigate.js';
import { ProjectorRunner } from '../src/projections/engine/runner.js';
import { replayProjection } from '../src/projections/engine/replay.js';
import { casesProjection } from '../src/projections/cases/projection.js';
import { reportsProjection } from '../src/projections/case-reports/projection.js';
import { reportWriter, reportKey } from '../src/reactors/report-writer.js';
import { FsObjectStore } from '../src/reports/fs-object-store.js';
import { renderReport } from '../src/reports/render.js';
import { caseAggregate } from '../src/contract/case-id.js';
import type { RecordedReport } from '../src/contract/report.js';
import type { CaseDetail } from '../src/contract/views.js';
import { reanalyze } from '../src/reanalysis/reanalyze.js';
import { formatSummary } from '../src/reanalysis/summary.js';
import { testContext } from './support/context.js';
import { defaultSeries, startPrometheus, type PrometheusFixture } from '../src/testkit/prometheus.js';
import { envOf } from './support/process.js';
import { spawnSync } from 'node:child_process';

// `tarka reanalyze` over a real JetStream log and real Postgres read models: investigations run
// through investigate() (today's planner and collectors, Prometheus unreachable so every piece of
// evidence is stored as a real "unavailable" step), some completed with an older analysis' report.

type Ctx = Awaited<ReturnType<typeof testContext>>;

/** What an older Tarka might have said: a generic family, actionable, no cause. */
const olderAnalysis: typeof analyze = (input) => ({
  ...analyze(input),
  family: 'generic',
  classification: 'actionable',
  hypotheses: [],
});

/** One case investigated like the worker does it, its report made by `analyzeWith`. */
async function investigatedCase(
  ctx: Ctx,
  caseId: string,
  analyzeWith: typeof analyze,
  o: {
    oldStepShape?: boolean;
    prometheusUrl?: string;
    labels?: Record<string, string>;
    startsAt?: string;
  } = {},
) {
  const startsAt = o.startsAt ?? new Date(Date.now() - 10 * 60_000).toISOString();
  const investigationId = `${caseId}-inv`;
  const labels = o.labels ?? {
    alertname: 'KubePodCrashLooping',
    namespace: 'shop',
    pod: `checkout-7d9f-${caseId.slice(-4)}`,
    container: 'app',
    severity: 'critical',
  };
  const h = (cmd: Parameters<Ctx['handler']['handle']>[1]) => ctx.handler.handle(caseId, cmd, randomUUID());
  await h({
    type: 'ReceiveAlert',
    alert: {
      fingerprint: caseId,
      status: 'firing',
      labels,
      annotations: {},
      startsAt,
      endsAt: null,
      generatorURL: null,
    },
    notification: { receiver: 'tarka', groupKey: null, truncatedAlerts: 0, reason: null },
    investigationId,
  });
  await h({ type: 'StartInvestigation', investigationId, worker: 'test', attempt: 1 });
  const toolkit = {
    ...createToolkit(ctx.config, { prometheusUrl: o.prometheusUrl ?? 'http://127.0.0.1:9' }),
    analyze: analyzeWith,
  };
  const window = {
    start: new Date(Date.parse(startsAt) - 3_600_000).toISOString(),
    end: new Date().toISOString(),
  };
  const alert = { fingerprint: caseId, labels, annotations: {}, startsAt, generatorURL: null };
  // Older Tarka versions recorded evidence steps without their data.
  const record = async (s: Step) => {
    const step =
      o.oldStepShape && s.step.startsWith('evidence:') ? { ...s, detail: { id: s.step.slice(9) } } : s;
    await h({ type: 'RecordInvestigationStep', investigationId, ...step });
  };
  const report = await investigate(alert, window, toolkit, record);
  await h({
    type: 'CompleteInvestigation',
    investigationId,
    anchor: startsAt,
    report: report as RecordedReport,
  });
  return { investigationId, report };
}

describe('tarka reanalyze', () => {
  let ctx: Ctx;
  let app: FastifyInstance;
  const run = randomUUID().slice(0, 8);
  const ids = { old: `ra-old-${run}`, today: `ra-today-${run}`, shape: `ra-shape-${run}` };

  beforeAll(async () => {
    ctx = await testContext({ COLLECTOR_TIMEOUT_SECONDS: '1' });
    app = buildApp(ctx);
    await investigatedCase(ctx, ids.old, olderAnalysis);
    await investigatedCase(ctx, ids.today, analyze);
    await investigatedCase(ctx, ids.shape, olderAnalysis, { oldStepShape: true });
  }, 60_000);

  afterAll(async () => {
    await app?.close();
    await ctx?.dispose();
  });

  const deps = () => ({ store: ctx.store, handler: ctx.handler, analyze });
  const ours = <T extends { caseId: string }>(xs: T[]) =>
    xs.filter((x) => Object.values(ids).includes(x.caseId));

  it('--dry-run prints the diff and appends nothing', async () => {
    const head = await ctx.store.headSeq();
    const r = await reanalyze(deps(), { dryRun: true });
    expect(await ctx.store.headSeq()).toBe(head);
    expect(r.examined).toBe(3);
    expect(r.unchanged).toBe(1); // today's report comes out the same from its stored evidence
    expect(ours(r.revisions)).toHaveLength(1);
    const [rev] = r.revisions;
    expect(rev).toMatchObject({ caseId: ids.old, fromVersion: 1, toVersion: 2, appended: false });
    expect(rev!.before).toMatchObject({
      family: 'generic',
      classification: 'actionable',
      topHypothesis: null,
    });
    expect(rev!.after.family).toBe('crashloop');
    expect(rev!.fields).toContain('family');
    expect(r.skipped).toEqual([
      {
        caseId: ids.shape,
        investigationId: `${ids.shape}-inv`,
        reason: expect.stringMatching(/older step shape/),
      },
    ]);
    const text = formatSummary(r);
    console.log(text);
    expect(text).toMatch(/reanalyzed 3 reports: 1 would be revised, 1 unchanged, 1 skipped \(dry run/);
    expect(text).toMatch(/families changed: +1/);
    expect(text).toContain(`case ${ids.old} (${ids.old}-inv, v1 -> v2): "generic" -> "crashloop"`);
  });

  // Needs `npm run build` (dist/): the real CLI over this test's log.
  it('`tarka reanalyze --dry-run` prints the diff over the log; bad options are refused', async () => {
    const head = await ctx.store.headSeq();
    const cli = (...args: string[]) =>
      spawnSync(process.execPath, ['dist/cli/main.js', 'reanalyze', ...args], {
        env: envOf(ctx.config),
        encoding: 'utf8',
        timeout: 60_000,
      });
    const out = cli('--dry-run', '--since', '1h');
    expect(out.status, out.stderr).toBe(0);
    console.log(out.stdout);
    expect(out.stdout).toMatch(/reanalyzed 3 reports: 1 would be revised, 1 unchanged, 1 skipped \(dry run/);
    expect(out.stdout).toContain(`case ${ids.old} (${ids.old}-inv, v1 -> v2): "generic" -> "crashloop"`);
    expect(await ctx.store.headSeq()).toBe(head);
    const bad = cli('--since', 'yesterday');
    expect(bad.status).not.toBe(0);
    expect(bad.stderr).toContain('expected an ISO instant');
  });

  it('appends ReportRevised once; a second run appends nothing', async () => {
    const head = await ctx.store.headSeq();
    const first = await reanalyze(deps(), { dryRun: false, reason: 'test' });
    expect(first.revisions.map((x) => [x.caseId, x.appended])).toEqual([[ids.old, true]]);
    expect(await ctx.store.headSeq()).toBe(head + 1);
    const { events } = await ctx.store.readAggregate(caseAggregate(ids.old));
    const revised = events.at(-1)!;
    expect(revised.type).toBe('ReportRevised');
    if (revised.type !== 'ReportRevised') return;
    expect(revised.data).toMatchObject({
      investigationId: `${ids.old}-inv`,
      version: 2,
      reason: 'test',
      previous: { version: 1, family: 'generic', classification: 'actionable', topHypothesis: null },
      report: { family: 'crashloop' },
    });

    const again = await reanalyze(deps(), { dryRun: false });
    expect(again).toMatchObject({ examined: 3, unchanged: 2, revisions: [] });
    expect(await ctx.store.headSeq()).toBe(head + 1);
  });

  it('a changed rule set revises the latest version; filters narrow what is examined', async () => {
    const noisy: typeof analyze = (input) => ({ ...analyze(input), classification: 'noisy' });
    const r = await reanalyze({ ...deps(), analyze: noisy }, { dryRun: true, family: 'crashloop' });
    // Both crashloop reports (the revised v2 and today's v1); the generic one with old steps is filtered out.
    expect(r.examined).toBe(2);
    expect(r.revisions.map((x) => [x.caseId, x.fromVersion, x.fields])).toEqual(
      expect.arrayContaining([
        [ids.old, 2, ['classification']],
        [ids.today, 1, ['classification']],
      ]),
    );
    expect((await reanalyze(deps(), { dryRun: true, limit: 1 })).examined).toBe(1);
    expect((await reanalyze(deps(), { dryRun: true, since: new Date(Date.now() + 60_000) })).examined).toBe(
      0,
    );
  });

  it('read models take the latest version, rebuild equal, and the API serves it', async () => {
    const runners = [casesProjection, reportsProjection].map((p) =>
      new ProjectorRunner({ pool: ctx.pool, store: ctx.store, log: ctx.log }, p).start(),
    );
    try {
      const head = await ctx.store.headSeq();
      for (const r of runners) await r.waitFor(head);
    } finally {
      for (const r of runners) await r.stop();
    }
    const res = await app.inject({ method: 'GET', url: `/api/cases/${ids.old}` });
    expect(res.statusCode).toBe(200);
    const detail = res.json<CaseDetail>();
    expect(detail.case).toMatchObject({ family: 'crashloop' });
    expect(detail.report).toMatchObject({
      version: 2,
      report: { family: 'crashloop' },
      revision: { reason: 'test', previous: { version: 1, family: 'generic', classification: 'actionable' } },
    });
    const today = (await app.inject({ method: 'GET', url: `/api/cases/${ids.today}` })).json<CaseDetail>();
    expect(today.report).toMatchObject({ version: 1, revision: null });

    const rows = async () =>
      (
        await ctx.pool.query(
          `SELECT (SELECT json_agg(t ORDER BY case_id)::text FROM cases t) AS c,
                  (SELECT json_agg(t ORDER BY investigation_id)::text FROM case_reports t) AS r,
                  (SELECT json_agg(t ORDER BY investigation_id)::text FROM investigations t) AS i`,
        )
      ).rows[0];
    const before = await rows();
    for (const p of [casesProjection, reportsProjection])
      await replayProjection({ pool: ctx.pool, store: ctx.store, log: ctx.log }, p);
    expect(await rows()).toEqual(before);
  });

  it('the report writer writes the revised snapshot under its family key', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tarka-reanalyze-'));
    const { events } = await ctx.store.readAggregate(caseAggregate(ids.old));
    await reportWriter(new FsObjectStore(dir), '', renderReport).react(events);
    const completed = events.find((e) => e.type === 'InvestigationCompleted')!;
    if (completed.type !== 'InvestigationCompleted') return;
    const at = (family: string) =>
      JSON.parse(
        readFileSync(join(dir, `${reportKey('', completed.data.anchor, ids.old, family)}.json`), 'utf8'),
      );
    expect(at('generic')).toMatchObject({ version: 1, report: { family: 'generic' } });
    expect(at('crashloop')).toMatchObject({ version: 2, report: { family: 'crashloop' } });
  });
});

// Reports made from real Prometheus answers re-derive to themselves from what their steps stored:
// without an analysis change, reanalyze finds nothing to revise (the step bounds lose nothing the
// analysis reads).
describe('tarka reanalyze over evidence from a real Prometheus', () => {
  let ctx: Ctx;
  let prom: PrometheusFixture;

  beforeAll(async () => {
    [ctx, prom] = await Promise.all([
      testContext({ COLLECTOR_TIMEOUT_SECONDS: '5' }),
      startPrometheus({ series: defaultSeries() }),
    ]);
  }, 120_000);
  afterAll(async () => {
    await prom?.stop();
    await ctx?.dispose();
  });

  it('finds every report unchanged, then revises what a changed rule set says', async () => {
    const startsAt = new Date(prom.now.getTime() - 30 * 60_000).toISOString();
    const alerts: Record<string, string>[] = [
      {
        alertname: 'KubePodCrashLooping',
        namespace: 'shop',
        pod: 'api-1',
        container: 'api',
        severity: 'warning',
      },
      {
        alertname: 'KubeContainerMemoryHigh',
        namespace: 'shop',
        pod: 'api-1',
        container: 'api',
        severity: 'warning',
      },
      { alertname: 'HighRequestRate', namespace: 'shop', severity: 'info' },
    ];
    const ids: string[] = [];
    for (const [n, labels] of alerts.entries()) {
      const id = `ra-prom-${n}-${randomUUID().slice(0, 6)}`;
      ids.push(id);
      await investigatedCase(ctx, id, analyze, { prometheusUrl: prom.url, labels, startsAt });
    }
    // The evidence really came from Prometheus: steps answered ok, with data.
    const steps = (await Promise.all(ids.map((id) => ctx.store.readAggregate(caseAggregate(id))))).flatMap(
      (a) =>
        a.events.flatMap((e) =>
          e.type === 'InvestigationStepCompleted' && e.data.status === 'ok' ? [e] : [],
        ),
    );
    expect(steps.length).toBeGreaterThan(3);

    const same = await reanalyze({ store: ctx.store, analyze }, { dryRun: true });
    expect(same).toMatchObject({ examined: 3, unchanged: 3, revisions: [], skipped: [] });

    const reworded: typeof analyze = (input) => {
      const r = analyze(input);
      return { ...r, summary: `${r.summary} (reworded)` };
    };
    const other = await reanalyze({ store: ctx.store, analyze: reworded }, { dryRun: true });
    expect(other.revisions.map((r) => r.fields)).toEqual([[], [], []]);
    expect(formatSummary(other)).toMatch(/other changes only: +3/);
  });
});
