import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { headers } from 'nats';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../src/http/app.js';
import { startProjectors } from '../src/runtime/projectors.js';
import { startWorker } from '../src/runtime/worker-process.js';
import { createToolkit } from '../src/investigation/toolkit.js';
import type { Toolkit } from '../src/investigation/investigate.js';
import type { ProjectorRunner } from '../src/projections/engine/runner.js';
import { FsObjectStore } from '../src/reports/fs-object-store.js';
import { deadLetterStream } from '../src/nats/job-queue.js';
import { maxDeliveriesStream } from '../src/nats/max-deliveries.js';
import { waitFor } from '../src/events/event-store.contract.js';
import { testContext } from './support/context.js';
import { runnerOf } from './support/runners.js';
import { alertmanagerFixtures } from './fixtures.js';
import { labelsFingerprint } from '../src/ingest/alertmanager-payload.js';

type Ctx = Awaited<ReturnType<typeof testContext>>;

const typesOf = async (ctx: Ctx, caseId: string) =>
  (await ctx.store.readAggregate(`case.${caseId}`)).events.map((e) => e.type);

function alertGroup(pod: string) {
  const f = alertmanagerFixtures()[0]!.body;
  const { fingerprint: _fp, ...a } = f.alerts[0]!;
  // A case is Alertmanager's fingerprint of the labels: a label of this run's own makes a new case.
  const labels = { ...(a.labels as Record<string, string>), pod, run: randomUUID() };
  const fingerprint = labelsFingerprint(labels);
  return { body: { ...f, alerts: [{ ...a, fingerprint, labels }] }, fingerprint };
}

describe('worker', () => {
  let ctx: Ctx;
  let app: FastifyInstance;
  let runners: ProjectorRunner[];
  let stopWorker: (() => Promise<void>) | undefined;
  const reports = mkdtempSync(join(tmpdir(), 'tarka-reports-'));

  beforeAll(async () => {
    ctx = await testContext({
      TARKA_DATA_DIR: reports,
      JETSTREAM_ACK_WAIT_SECONDS: '2',
      JETSTREAM_MAX_DELIVER: '2',
      WORKER_CONCURRENCY: '4',
      COLLECTOR_TIMEOUT_SECONDS: '2',
    });
    app = buildApp(ctx);
    runners = startProjectors(ctx);
  });
  afterEach(async () => {
    await stopWorker?.();
    stopWorker = undefined;
  });
  afterAll(async () => {
    await Promise.all(runners.map((r) => r.stop()));
    await app.close();
    // Workers create the stream that keeps max-deliveries advisories; dropTestResources knows it not.
    const jsm = await ctx.nc.jetstreamManager();
    await jsm.streams.delete(maxDeliveriesStream(ctx.config.JETSTREAM_STREAM)).catch(() => undefined);
    await ctx.dispose();
  });

  const run = async (toolkit: Toolkit = createToolkit(ctx.config)) => {
    const w = await startWorker(ctx, toolkit);
    stopWorker = w.stop;
    return w.worker;
  };

  it('investigates a new alert: steps as they finish, one report, case and timeline updated, snapshot written', async () => {
    await run();
    const { body, fingerprint } = alertGroup('api-1');
    expect((await app.inject({ method: 'POST', url: '/alerts', payload: body })).statusCode).toBe(202);
    await waitFor(async () => (await typesOf(ctx, fingerprint)).includes('InvestigationCompleted'), 20_000);
    const types = await typesOf(ctx, fingerprint);
    expect(types.slice(0, 3)).toEqual(['AlertFired', 'InvestigationRequested', 'InvestigationStarted']);
    expect(types.filter((t) => t === 'InvestigationStepCompleted').length).toBeGreaterThan(2);
    expect(types.at(-1)).toBe('InvestigationCompleted');

    await runners[0]!.waitFor(await ctx.store.headSeq());
    const detail = (await app.inject(`/api/cases/${fingerprint}`)).json();
    expect(detail.case).toMatchObject({ investigationState: 'completed', family: 'crashloop' });
    expect(detail.investigations[0].steps.map((s: { step: string }) => s.step)).toContain('plan');
    // No Prometheus, Kubernetes or logs are configured here: the report must say so, not guess.
    const report = detail.events.find((e: { type: string }) => e.type === 'InvestigationCompleted').data
      .report;
    expect(JSON.stringify(report.unknowns)).toMatch(/Prometheus/i);

    await runnerOf(runners, 'reports').waitFor(await ctx.store.headSeq());
    const keys = await new FsObjectStore(join(reports, 'reports')).list(ctx.config.S3_PREFIX);
    expect(keys.some((k) => k.endsWith(`/${fingerprint}-crashloop.json`))).toBe(true);
    expect(keys.some((k) => k.endsWith(`/${fingerprint}-crashloop.md`))).toBe(true);
  });

  it('produces one investigation when the same job is delivered twice', async () => {
    const worker = await run();
    const { body, fingerprint } = alertGroup('api-2');
    await app.inject({ method: 'POST', url: '/alerts', payload: body });
    await waitFor(async () => (await typesOf(ctx, fingerprint)).includes('InvestigationCompleted'), 20_000);
    // Re-queue the very same job under another message id, as a lost ack would.
    const { events } = await ctx.store.readAggregate(`case.${fingerprint}`);
    const req = events.find((e) => e.type === 'InvestigationRequested')!;
    const before = worker.completed;
    const job = {
      kind: 'investigate',
      caseId: fingerprint,
      investigationId: (req.data as { investigationId: string }).investigationId,
      eventId: req.id,
      requestedSeq: req.seq,
      episode: 1,
      reason: 'new_episode',
      anchor: (req.data as { anchor: string }).anchor,
    };
    await ctx.nc
      .jetstream()
      .publish(ctx.config.JETSTREAM_SUBJECT, JSON.stringify(job), { msgID: randomUUID() });
    await waitFor(() => worker.completed > before, 10_000);
    expect((await typesOf(ctx, fingerprint)).filter((t) => t === 'InvestigationCompleted')).toHaveLength(1);
  });

  it('records a final failure and dead-letters the job after the last delivery', async () => {
    const real = createToolkit(ctx.config);
    await run({
      ...real,
      analyze: () => {
        throw new Error('analysis exploded');
      },
    });
    const { body, fingerprint } = alertGroup('api-3');
    await app.inject({ method: 'POST', url: '/alerts', payload: body });
    await waitFor(
      async () =>
        (await ctx.store.readAggregate(`case.${fingerprint}`)).events.some(
          (e) => e.type === 'InvestigationFailed' && (e.data as { final: boolean }).final,
        ),
      30_000,
    );
    const failed = (await ctx.store.readAggregate(`case.${fingerprint}`)).events.filter(
      (e) => e.type === 'InvestigationFailed',
    );
    expect(failed.map((e) => (e.data as { final: boolean }).final)).toEqual([false, true]);
    expect((failed[1]!.data as { error: string }).error).toMatch(/analysis exploded/);
    const dlq = await (
      await ctx.nc.jetstreamManager()
    ).streams.info(deadLetterStream(ctx.config.JETSTREAM_STREAM));
    expect(dlq.state.messages).toBeGreaterThanOrEqual(1);
    await runners[0]!.waitFor(await ctx.store.headSeq());
    expect((await app.inject(`/api/cases/${fingerprint}`)).json().case.investigationState).toBe('failed');
  });

  it('sends an unreadable job straight to the dead-letter stream', async () => {
    await run();
    const jsm = await ctx.nc.jetstreamManager();
    const before = (await jsm.streams.info(deadLetterStream(ctx.config.JETSTREAM_STREAM))).state.messages;
    const h = headers();
    await ctx.nc
      .jetstream()
      .publish(ctx.config.JETSTREAM_SUBJECT, '{"kind":"nonsense"', { msgID: randomUUID(), headers: h });
    await waitFor(
      async () =>
        (await jsm.streams.info(deadLetterStream(ctx.config.JETSTREAM_STREAM))).state.messages > before,
      10_000,
    );
    await waitFor(
      async () => (await jsm.streams.info(ctx.config.JETSTREAM_STREAM)).state.messages === 0,
      10_000,
    );
  });

  it('on stop, finishes the job in hand before the deadline and exits cleanly', async () => {
    const real = createToolkit(ctx.config);
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const w = await startWorker(ctx, {
      ...real,
      collect: async (r, win) => (await gate, real.collect(r, win)),
    });
    const { body, fingerprint } = alertGroup('api-4');
    await app.inject({ method: 'POST', url: '/alerts', payload: body });
    await waitFor(async () => (await typesOf(ctx, fingerprint)).includes('InvestigationStarted'), 10_000);
    const stopping = w.stop();
    setTimeout(release, 300);
    await stopping;
    expect(await typesOf(ctx, fingerprint)).toContain('InvestigationCompleted');
  });
});
