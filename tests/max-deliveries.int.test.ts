import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../src/http/app.js';
import { startProjectors } from '../src/runtime/projectors.js';
import type { ProjectorRunner } from '../src/projections/engine/runner.js';
import { labelsFingerprint } from '../src/ingest/alertmanager-payload.js';
import { deadLetterStream } from '../src/nats/job-queue.js';
import { maxDeliveriesStream } from '../src/nats/max-deliveries.js';
import { waitFor } from '../src/events/event-store.contract.js';
import { testContext } from './support/context.js';
import { envOf, freePort, startTarka, type TarkaProcess } from './support/process.js';
import { startTcpProxy, type TcpProxy } from './support/tcp-proxy.js';
import { alertmanagerFixtures } from './fixtures.js';

type Ctx = Awaited<ReturnType<typeof testContext>>;

// A worker process that dies during every delivery of a job (here: SIGKILL while its investigation
// hangs on a black-holed Prometheus) never runs its own "last failed delivery" code. JetStream's
// max-deliveries advisory must still end the case with a final InvestigationFailed.
describe('a job whose every delivery kills its worker', () => {
  let ctx: Ctx;
  let app: FastifyInstance;
  let runners: ProjectorRunner[];
  let prometheus: TcpProxy;
  const workers = new Set<TarkaProcess>();

  beforeAll(async () => {
    ctx = await testContext({ JETSTREAM_ACK_WAIT_SECONDS: '2', JETSTREAM_MAX_DELIVER: '2' });
    app = buildApp(ctx);
    runners = startProjectors(ctx);
    prometheus = await startTcpProxy({ host: '127.0.0.1', port: 9 });
    prometheus.setMode('hang');
  });
  afterEach(async () => {
    await Promise.all([...workers].map((w) => w.kill('SIGKILL')));
    workers.clear();
  });
  afterAll(async () => {
    await Promise.all(runners.map((r) => r.stop()));
    await app.close();
    await prometheus.close();
    const jsm = await ctx.nc.jetstreamManager();
    await jsm.streams.delete(maxDeliveriesStream(ctx.config.JETSTREAM_STREAM)).catch(() => undefined);
    await ctx.dispose();
  });

  const startWorker = async () => {
    const w = await startTarka(
      'worker',
      envOf(ctx.config, {
        PORT: String(await freePort()),
        PROMETHEUS_URL: prometheus.url(),
        COLLECTOR_TIMEOUT_SECONDS: '120',
      }),
    );
    workers.add(w);
    return w;
  };

  const postAlert = async () => {
    const f = alertmanagerFixtures()[0]!.body;
    const { fingerprint: _fp, ...a } = f.alerts[0]!;
    const labels = { ...(a.labels as Record<string, string>), pod: `api-${randomUUID().slice(0, 8)}` };
    const res = await app.inject({
      method: 'POST',
      url: '/alerts',
      payload: { ...f, alerts: [{ ...a, labels }] },
    });
    expect(res.statusCode).toBe(202);
    return labelsFingerprint(labels);
  };

  const events = async (caseId: string) => (await ctx.store.readAggregate(`case.${caseId}`)).events;

  /** Waits for delivery `attempt` to start, then kills the worker process that holds it. */
  const killHolderOf = async (caseId: string, attempt: number) => {
    let holder: TarkaProcess | undefined;
    await waitFor(async () => {
      const started = (await events(caseId)).find(
        (e) => e.type === 'InvestigationStarted' && (e.data as { attempt: number }).attempt === attempt,
      );
      if (!started) return false;
      const pid = Number((started.data as { worker: string }).worker.split('-').at(-1));
      holder = [...workers].find((w) => w.child.pid === pid);
      return true;
    }, 20_000);
    expect(holder).toBeDefined();
    await holder!.kill('SIGKILL');
    workers.delete(holder!);
  };

  const expectFinalFailure = async (caseId: string) => {
    await waitFor(
      async () =>
        (await events(caseId)).some(
          (e) => e.type === 'InvestigationFailed' && (e.data as { final: boolean }).final,
        ),
      20_000,
    );
    const failed = (await events(caseId)).filter((e) => e.type === 'InvestigationFailed');
    expect(failed).toHaveLength(1);
    expect(failed[0]!.data).toMatchObject({
      final: true,
      attempts: 2,
      error: expect.stringMatching(/worker died on every delivery/),
    });
    await runners[0]!.waitFor(await ctx.store.headSeq());
    expect((await app.inject(`/api/cases/${caseId}`)).json().case.investigationState).toBe('failed');
  };

  it('ends the case with a final InvestigationFailed while another worker is alive', async () => {
    const jsm = await ctx.nc.jetstreamManager();
    await Promise.all([startWorker(), startWorker()]);
    const caseId = await postAlert();
    await killHolderOf(caseId, 1);
    await startWorker(); // two alive again
    await killHolderOf(caseId, 2);
    await expectFinalFailure(caseId);
    // The job left the queue for the dead-letter stream.
    await waitFor(
      async () => (await jsm.streams.info(ctx.config.JETSTREAM_STREAM)).state.messages === 0,
      10_000,
    );
    const dlq = await jsm.streams.info(deadLetterStream(ctx.config.JETSTREAM_STREAM));
    const dead = await jsm.streams.getMessage(deadLetterStream(ctx.config.JETSTREAM_STREAM), {
      seq: dlq.state.last_seq,
    });
    expect(dead.header.get('Tarka-Dead-Reason')).toMatch(/worker died on every delivery/);
    expect(JSON.parse(new TextDecoder().decode(dead.data))).toMatchObject({ caseId });
  });

  it('still ends it when no worker was alive once the last delivery ran out: the next one to start does', async () => {
    await startWorker();
    const caseId = await postAlert();
    await killHolderOf(caseId, 1);
    await startWorker();
    await killHolderOf(caseId, 2);
    // Nobody pulls now, so JetStream has not yet given up on the job: it does (and advises) when the
    // next worker pulls, and that worker reads the advisory from the stream that keeps them.
    expect((await events(caseId)).some((e) => e.type === 'InvestigationFailed')).toBe(false);
    await startWorker();
    await expectFinalFailure(caseId);
  });
});
