import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../src/http/app.js';
import { startProjectors } from '../src/runtime/projectors.js';
import { startWorker } from '../src/runtime/worker-process.js';
import type { ProjectorRunner } from '../src/projections/engine/runner.js';
import { maxDeliveriesStream } from '../src/nats/max-deliveries.js';
import { waitFor } from '../src/events/event-store.contract.js';
import { labelsFingerprint } from '../src/ingest/alertmanager-payload.js';
import { reportSchemaV1, type Report } from '../src/contract/report.js';
import { renderReport } from '../src/reports/render.js';
import { testContext } from './support/context.js';

type Ctx = Awaited<ReturnType<typeof testContext>>;

// The whole path: Alertmanager's webhook -> dispatcher -> worker -> report; a person closes the
// case with a note; the alert fires again; the new report names the earlier episode as similar.
describe('case memory through the pipeline', () => {
  let ctx: Ctx;
  let app: FastifyInstance;
  let runners: ProjectorRunner[];
  let stopWorker: () => Promise<void>;

  beforeAll(async () => {
    ctx = await testContext({ COLLECTOR_TIMEOUT_SECONDS: '1' });
    app = buildApp(ctx);
    runners = startProjectors(ctx);
    stopWorker = (await startWorker(ctx)).stop;
  });
  afterAll(async () => {
    await stopWorker();
    await Promise.all(runners.map((r) => r.stop()));
    await app.close();
    const jsm = await ctx.nc.jetstreamManager();
    await jsm.streams.delete(maxDeliveriesStream(ctx.config.JETSTREAM_STREAM)).catch(() => undefined);
    await ctx.dispose();
  });

  const labels = {
    alertname: 'KubePodCrashLooping',
    severity: 'critical',
    namespace: 'shop',
    pod: 'checkout-7c9d8f6b5d-x2x4z',
    container: 'checkout',
    run: randomUUID(),
  };
  const fingerprint = labelsFingerprint(labels);
  const post = (status: 'firing' | 'resolved', startsAt: string, endsAt = '0001-01-01T00:00:00Z') =>
    app.inject({
      method: 'POST',
      url: '/alerts',
      payload: {
        version: '4',
        groupKey: `{}:{alertname="KubePodCrashLooping"}`,
        truncatedAlerts: 0,
        status,
        receiver: 'tarka',
        groupLabels: { alertname: 'KubePodCrashLooping' },
        commonLabels: labels,
        commonAnnotations: {},
        externalURL: 'http://alertmanager.example',
        alerts: [
          {
            status,
            labels,
            annotations: { summary: 'checkout crash-looping' },
            startsAt,
            endsAt,
            generatorURL: '',
            fingerprint,
          },
        ],
      },
    });
  const reports = async () =>
    (await ctx.store.readAggregate(`case.${fingerprint}`)).events
      .filter((e) => e.type === 'InvestigationCompleted')
      .map((e) => (e.data as { report: Report }).report);
  const caughtUp = async () => {
    const head = await ctx.store.headSeq();
    await Promise.all(runners.map((r) => r.waitFor(head, 20_000)));
  };

  it('shows the earlier episode as similar, with why and the resolution note written when closing', async () => {
    const first = new Date(Date.now() - 3 * 3_600_000).toISOString();
    expect((await post('firing', first)).statusCode).toBe(202);
    await waitFor(async () => (await reports()).length === 1, 30_000);
    // The first time, memory has nothing to offer about this workload.
    const [r1] = await reports();
    expect(r1!.memory?.matches.map((m) => m.caseId) ?? []).not.toContain(fingerprint);

    const note = `Bad CHECKOUT_DB_URL in configmap checkout-env after release 4.2; rolled back <b>now</b> '; DROP TABLE cases; --`;
    const resolved = new Date(Date.parse(first) + 25 * 60_000).toISOString();
    expect((await post('resolved', first, resolved)).statusCode).toBe(202);
    await caughtUp();
    const close = await app.inject({
      method: 'POST',
      url: `/api/cases/${fingerprint}/resolve`,
      payload: { category: 'fixed', note },
    });
    expect(close.statusCode).toBeLessThan(300);
    await caughtUp();

    expect((await post('firing', new Date(Date.now() - 60_000).toISOString())).statusCode).toBe(202);
    await waitFor(async () => (await reports()).length === 2, 30_000);
    const r2 = (await reports())[1]!;
    expect(reportSchemaV1.safeParse(r2).success).toBe(true);
    expect(r2.memory?.status).toBe('ok');
    const earlier = r2.memory!.matches[0]!;
    expect(earlier).toMatchObject({ caseId: fingerprint, episode: 1, alertname: 'KubePodCrashLooping' });
    expect(earlier.features.map((f) => f.feature)).toEqual(
      expect.arrayContaining(['same_workload', 'same_alert', 'same_family']),
    );
    expect(earlier.features.find((f) => f.feature === 'same_workload')).toMatchObject({
      weight: 30,
      points: 30,
      detail: 'same workload shop/checkout',
    });
    expect(earlier.resolution).toMatchObject({ category: 'fixed', note, firedAgain: true });
    expect(earlier.resolution.minutesToResolve).toBeGreaterThan(0);

    // The memory step is an event of its own, and the Markdown snapshot shows the section.
    const steps = (await ctx.store.readAggregate(`case.${fingerprint}`)).events.filter(
      (e) => e.type === 'InvestigationStepCompleted' && (e.data as { step: string }).step === 'memory',
    );
    expect(steps.map((s) => (s.data as { status: string }).status)).toEqual(['empty', 'ok']);
    const md = renderReport(r2);
    expect(md).toContain('## Similar past incidents');
    expect(md).toContain('- same workload shop/checkout (+30 of 30)');
    expect(md).toContain('Closed as **fixed**');
    expect(md).toContain('rolled back &lt;b&gt;now&lt;/b&gt;');
  });
});
