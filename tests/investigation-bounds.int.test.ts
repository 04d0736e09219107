import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../src/http/app.js';
import { labelsFingerprint } from '../src/ingest/alertmanager-payload.js';
import { createToolkit } from '../src/investigation/toolkit.js';
import type { Toolkit } from '../src/investigation/investigate.js';
import { startProjectors } from '../src/runtime/projectors.js';
import { startWorker } from '../src/runtime/worker-process.js';
import type { ProjectorRunner } from '../src/projections/engine/runner.js';
import { startFakeVictoriaLogs, type FakeLogs } from '../src/testkit/fake-logs.js';
import { waitFor } from '../src/events/event-store.contract.js';
import { testContext } from './support/context.js';
import { alertmanagerFixtures } from './fixtures.js';

// Whatever the evidence sources answer, every step, failure text and report must fit a JetStream
// message: a 2 MB error page, a huge query or huge log lines end in a visibly truncated step, and
// the investigation completes.

type Ctx = Awaited<ReturnType<typeof testContext>>;

/** Prometheus's HTTP API answering every query with its error format, and a 2 MB message. */
async function startHostilePrometheus(): Promise<{ url: string; server: Server }> {
  const error = `parse error: ${'E'.repeat(2 * 1024 * 1024)}`;
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(422, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ status: 'error', errorType: 'bad_data', error }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as { port: number }).port}`, server };
}

describe('bounded step events', () => {
  let ctx: Ctx;
  let app: FastifyInstance;
  let runners: ProjectorRunner[];
  let prom: { url: string; server: Server };
  let logs: FakeLogs;
  let stopWorker: () => Promise<void>;

  beforeAll(async () => {
    prom = await startHostilePrometheus();
    const line = (i: number) => `${i} \u0000 \ud800 ${'L'.repeat(300_000)} end`;
    logs = await startFakeVictoriaLogs(
      Array.from({ length: 12 }, (_, i) => ({
        time: new Date(Date.now() - 120_000 + i * 1000),
        fields: { namespace: 'payments', pod: 'bounds-1', container: 'api' },
        msg: line(i),
      })),
    );
    ctx = await testContext({
      PROMETHEUS_URL: prom.url,
      LOGS_URL: logs.url,
      LOGS_BACKEND: 'victorialogs',
      COLLECTOR_TIMEOUT_SECONDS: '5',
      JETSTREAM_MAX_DELIVER: '1',
    });
    app = buildApp(ctx);
    runners = startProjectors(ctx);
    const real = createToolkit(ctx.config);
    // One more request whose query alone is larger than a JetStream message.
    const toolkit: Toolkit = {
      ...real,
      plan: (alert, window) => {
        const p = real.plan(alert, window);
        const query = `up{pod="${'q'.repeat(1_500_000)}"}`;
        return {
          ...p,
          requests: [
            ...p.requests,
            { id: 'huge-query', title: 'A huge query', source: 'prometheus', kind: 'instant', query },
          ],
        };
      },
    };
    stopWorker = (await startWorker(ctx, toolkit)).stop;
  }, 30_000);
  afterAll(async () => {
    await stopWorker?.();
    await Promise.all(runners.map((r) => r.stop()));
    await app.close();
    await ctx.dispose();
    await logs.close();
    await new Promise((r) => prom.server.close(r));
  });

  it('completes with visibly truncated steps when sources answer megabytes', async () => {
    const base = alertmanagerFixtures()[0]!.body;
    const labels = { ...(base.alerts[0]!.labels as Record<string, string>), pod: 'bounds-1' };
    const fingerprint = labelsFingerprint(labels);
    const body = {
      ...base,
      alerts: [
        { ...base.alerts[0], labels, fingerprint, startsAt: new Date(Date.now() - 60_000).toISOString() },
      ],
    };
    expect((await app.inject({ method: 'POST', url: '/alerts', payload: body })).statusCode).toBe(202);
    const types = async () =>
      (await ctx.store.readAggregate(`case.${fingerprint}`)).events.map((e) => e.type);
    await waitFor(async () => {
      const t = await types();
      return t.includes('InvestigationCompleted') || t.includes('InvestigationFailed');
    }, 30_000);
    expect(await types()).toContain('InvestigationCompleted');

    await runners[0]!.waitFor(await ctx.store.headSeq(), 15_000);
    const detail = (await app.inject(`/api/cases/${fingerprint}`)).json();
    expect(detail.case.investigationState).toBe('completed');
    const steps: { step: string; summary: string; detail: Record<string, unknown> }[] =
      detail.investigations[0].steps;
    for (const s of steps) expect(JSON.stringify(s).length, s.step).toBeLessThan(200 * 1024);

    const huge = steps.find((s) => s.step === 'evidence:huge-query')!;
    expect(huge.detail.truncated).toBe(true);
    expect(huge.detail.query).toMatch(/…\[truncated \d+ bytes\]$/);
    // The 2 MB error page of every Prometheus query is cut too, with its marker.
    const promSteps = steps.filter((s) => (s.detail as { source?: string }).source === 'prometheus');
    expect(promSteps.length).toBeGreaterThan(1);
    for (const s of promSteps) expect(String(s.detail.error).length).toBeLessThan(5000);
    expect(promSteps.some((s) => /truncated|…/.test(String(s.detail.error)))).toBe(true);
    const logStep = steps.find((s) => (s.detail as { source?: string }).source === 'logs');
    // Log lines holding NUL and unpaired surrogates reached Postgres as storable text.
    expect(logStep).toBeDefined();
    const lines = (logStep!.detail.data as { lines: { line: string }[] }).lines;
    expect(lines[0]!.line).toMatch(/^0 \ufffd \ufffd L+…\[truncated \d+ bytes\]$/);
    expect(logStep!.detail.truncated).toBe(true);
  });
});
