import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { memoryProjection } from '../src/projections/memory/projection.js';
import { ProjectorRunner } from '../src/projections/engine/runner.js';
import { replayProjection } from '../src/projections/engine/replay.js';
import { findSimilar, hasTrigram, similarQuery } from '../src/memory/find-similar.js';
import { featuresFromLabels, featuresFromReport } from '../src/projections/memory/features.js';
import type { RecordedReport } from '../src/contract/report.js';
import { testContext } from './support/context.js';
import { randomHistory } from './support/history.js';

type Ctx = Awaited<ReturnType<typeof testContext>>;

/** A report as the analysis writes it, cut down to what memory reads. */
function report(o: {
  workload: string;
  namespace: string;
  family: string;
  signatures?: string[];
  patterns?: string[];
  imageChanged?: boolean;
  summary?: string;
}): RecordedReport {
  return {
    family: o.family,
    classification: 'actionable',
    summary: o.summary ?? `Crash loop on Deployment ${o.namespace}/${o.workload}`,
    familyDetail: { preliminary: o.family, subReason: null, reasons: [] },
    target: {
      kind: 'workload',
      name: o.workload,
      display: `Deployment ${o.namespace}/${o.workload}`,
      namespace: o.namespace,
      workload: { kind: 'Deployment', name: o.workload, source: 'label' },
      service: null,
      cluster: null,
    },
    logFindings: {
      known: true,
      signatures: (o.signatures ?? []).map((id) => ({
        id,
        title: id,
        count: 2,
        detail: null,
        example: id,
        explanation: '',
        remediation: '',
        evidenceIds: [],
      })),
      patterns: (o.patterns ?? []).map((pattern) => ({
        pattern,
        count: 3,
        example: pattern,
        evidenceIds: [],
      })),
      stackTraces: [],
    },
    changes:
      o.imageChanged === undefined
        ? { known: true, items: [] }
        : {
            known: true,
            items: [
              {
                workload: `Deployment ${o.namespace}/${o.workload}`,
                revision: '7',
                at: '2026-10-01T00:00:00Z',
                imagesBefore: [],
                imagesAfter: [],
                imageChanged: o.imageChanged,
                precedesAlert: true,
                minutesBeforeAlert: 4,
                evidenceId: 'rollout',
              },
            ],
          },
  };
}

describe('case memory', () => {
  let ctx: Ctx;
  let live: ProjectorRunner;
  const deps = () => ({ pool: ctx.pool, store: ctx.store, log: ctx.log });
  const run = randomUUID().slice(0, 8);
  let t0 = Date.UTC(2026, 9, 1);

  /** One episode of a case: fired, investigated with this report, optionally closed. */
  async function episode(
    caseId: string,
    labels: Record<string, string>,
    r: RecordedReport | null,
    close?: { category: string; note: string | null; by: string },
  ) {
    t0 += 3_600_000;
    const startsAt = new Date(t0).toISOString();
    const investigationId = `${caseId}-${t0}`;
    const fired = await ctx.handler.handle(
      caseId,
      {
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
        notification: { receiver: null, groupKey: null, truncatedAlerts: 0, reason: null },
        investigationId,
      },
      randomUUID(),
    );
    expect(fired.events.length).toBeGreaterThan(0);
    if (r) {
      await ctx.handler.handle(
        caseId,
        { type: 'StartInvestigation', investigationId, worker: 'w', attempt: 1 },
        randomUUID(),
      );
      await ctx.handler.handle(
        caseId,
        { type: 'CompleteInvestigation', investigationId, anchor: startsAt, report: r },
        randomUUID(),
      );
    }
    await ctx.handler.handle(
      caseId,
      {
        type: 'ReceiveAlert',
        alert: {
          fingerprint: caseId,
          status: 'resolved',
          labels,
          annotations: {},
          startsAt,
          endsAt: new Date(t0 + 20 * 60_000).toISOString(),
          generatorURL: null,
        },
        notification: { receiver: null, groupKey: null, truncatedAlerts: 0, reason: null },
        investigationId,
      },
      randomUUID(),
    );
    if (close) await ctx.handler.handle(caseId, { type: 'ResolveCase', ...close }, randomUUID());
  }

  /** Every row of both tables, in a stable order. */
  const rows = async () => {
    const all = async (table: string, order: string) =>
      (await ctx.pool.query(`SELECT row_to_json(t)::text AS r FROM ${table} t ORDER BY ${order}`)).rows.map(
        (r) => r.r as string,
      );
    return {
      episodes: await all('case_memory', 'episode_key'),
      signatures: await all('case_memory_signatures', 'episode_key, signature'),
    };
  };

  beforeAll(async () => {
    ctx = await testContext();
    live = new ProjectorRunner(deps(), memoryProjection, { batchSize: 37 }).start();
  });
  afterAll(async () => {
    await live.stop();
    await ctx.dispose();
  });

  const api = (ns: string) => ({ alertname: 'KubePodCrashLooping', namespace: ns, deployment: 'api' });

  it('ranks the same workload first, says why with weights, and shows how each was resolved', async () => {
    const ns = `shop${run}`;
    const hostile = `'); DROP TABLE case_memory; -- <script>alert(1)</script> **bold** [x](javascript:alert(1))`;
    await episode(
      `a${run}`,
      api(ns),
      report({
        workload: 'api',
        namespace: ns,
        family: 'crashloop',
        signatures: ['missing_config'],
        imageChanged: false,
      }),
      { category: 'fixed', note: `restored the PAYMENT_URL key in configmap api-env ${hostile}`, by: 'ana' },
    );
    // Same alert and family, another workload: a weaker match.
    await episode(
      `b${run}`,
      { alertname: 'KubePodCrashLooping', namespace: ns, deployment: 'worker' },
      report({ workload: 'worker', namespace: ns, family: 'crashloop', signatures: ['missing_config'] }),
      { category: 'mitigated', note: 'scaled down', by: 'bo' },
    );
    // Unrelated.
    await episode(
      `c${run}`,
      { alertname: 'HTTP5xxRateHigh', namespace: ns, deployment: 'web' },
      report({ workload: 'web', namespace: ns, family: 'http_5xx' }),
    );
    await live.waitFor(await ctx.store.headSeq());

    const now = featuresFromReport(
      featuresFromLabels(api(ns)),
      report({
        workload: 'api',
        namespace: ns,
        family: 'crashloop',
        signatures: ['missing_config'],
        imageChanged: false,
      }),
    );
    const { matches } = await findSimilar(ctx.readPool, now, { limit: 5 });
    expect(matches.map((m) => m.caseId)).toEqual([`a${run}`, `b${run}`]);
    const [first, second] = matches;
    expect(first!.features.map((f) => [f.feature, f.weight])).toEqual(
      expect.arrayContaining([
        ['same_workload', 30],
        ['same_alert', 15],
        ['same_family', 10],
        ['same_log_signature', 15],
        ['same_change_pattern', 5],
      ]),
    );
    expect(first!.features.find((f) => f.feature === 'same_workload')!.detail).toBe(
      `same workload ${ns}/api`,
    );
    expect(first!.score).toBeGreaterThan(second!.score);
    expect(second!.features.map((f) => f.feature)).not.toContain('same_workload');
    // The note comes back as it was written: text, not SQL and not markup.
    expect(first!.resolution).toMatchObject({
      category: 'fixed',
      note: `restored the PAYMENT_URL key in configmap api-env ${hostile}`,
      by: 'ana',
      firedAgain: false,
      minutesToResolve: expect.any(Number),
    });
    expect((await ctx.pool.query(`SELECT count(*)::int AS n FROM case_memory`)).rows[0].n).toBeGreaterThan(2);
  });

  it('a repeat of the same case: the earlier episode is similar, and counts as fired again', async () => {
    const ns = `pay${run}`;
    const id = `r${run}`;
    const r = report({
      workload: 'api',
      namespace: ns,
      family: 'crashloop',
      signatures: ['connection_refused'],
    });
    await episode(id, api(ns), r, { category: 'fixed', note: 'restarted the database', by: 'cy' });
    await episode(id, api(ns), r);
    await live.waitFor(await ctx.store.headSeq());
    // By case id: compared with its newest episode, which is left out; the earlier one is found.
    const byCase = await findSimilar(ctx.readPool, id);
    expect(byCase.matches[0]).toMatchObject({
      caseId: id,
      episode: 1,
      resolution: { note: 'restarted the database', by: 'cy', firedAgain: true },
    });
    // Leaving the whole case out leaves nothing of it.
    const other = await findSimilar(ctx.readPool, id, { excludeCaseId: id });
    expect(other.matches.map((m) => m.caseId)).not.toContain(id);
  });

  it('compares logs by trigram when pg_trgm is there, and by shared lexemes when it is not', async () => {
    const ns = `logs${run}`;
    const patterns = ['ERROR could not connect to payments-db:5432 after <n> retries'];
    await episode(
      `l${run}`,
      { alertname: 'KubePodCrashLooping', namespace: ns, deployment: 'a' },
      report({ workload: 'a', namespace: ns, family: 'crashloop', patterns }),
    );
    await live.waitFor(await ctx.store.headSeq());
    const f = featuresFromReport(
      featuresFromLabels({ alertname: 'KubePodCrashLooping', namespace: ns, deployment: 'b' }),
      report({ workload: 'b', namespace: ns, family: 'crashloop', patterns }),
    );
    expect(await hasTrigram(ctx.readPool)).toBe(true); // Debian's and embedded Postgres ship it
    for (const trigram of [true, false]) {
      const [m] = await ctx.readPool.any(similarQuery(f, { minScore: 0 }, trigram));
      expect(m).toMatchObject({ caseId: `l${run}`, logSimilarity: 1, pLogs: 10 });
    }
  });

  it('takes hostile feature values as data: no SQL, no error, nothing matched', async () => {
    const evil = `x'); DROP TABLE case_memory; --`;
    const f = {
      ...featuresFromLabels({ alertname: evil, namespace: evil, deployment: evil, service: evil }),
      signatures: [evil, `'||pg_sleep(5)||'`],
      logText: `%' OR 1=1 --`,
      summary: `\\'; SELECT 1; --`,
    };
    const { matches } = await findSimilar(ctx.readPool, f);
    expect(matches).toEqual([]);
    expect((await ctx.pool.query('SELECT count(*)::int AS n FROM case_memory')).rows[0].n).toBeGreaterThan(0);
    expect((await findSimilar(ctx.readPool, evil)).features).toBeNull();
  });

  it('rebuilds with replay equal row for row', async () => {
    await randomHistory(ctx.handler, { cases: 30, steps: 300, seed: 11 });
    await live.waitFor(await ctx.store.headSeq());
    const before = await rows();
    expect(before.episodes.length).toBeGreaterThan(30);
    expect(before.signatures.length).toBeGreaterThan(2);
    await replayProjection(deps(), memoryProjection);
    expect(await rows()).toEqual(before);
  });
});
