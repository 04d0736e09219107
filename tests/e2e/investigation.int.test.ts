import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/http/app.js';
import { startProjectors } from '../../src/runtime/projectors.js';
import { startWorker } from '../../src/runtime/worker-process.js';
import { createToolkit } from '../../src/investigation/toolkit.js';
import { renderReport } from '../../src/reports/render.js';
import { S3ObjectStore } from '../../src/reports/s3-object-store.js';
import type { ProjectorRunner } from '../../src/projections/engine/runner.js';
import { startFakeKubernetes, type FakeKubernetes } from '../../src/testkit/fake-kubernetes.js';
import { freePort } from '../../src/testkit/processes.js';
import { waitFor } from '../../src/events/event-store.contract.js';
import { testContext } from '../support/context.js';
import { runnerOf } from '../support/runners.js';
import { startS3Server } from '../support/s3.js';
import { startMonitoring, type MonitoringStack } from '../support/monitoring.js';
import { cluster, history, live, rules } from './scenarios.js';

// Real Prometheus rules fire on synthetic kube-state-metrics history, the real Alertmanager posts
// to Tarka's webhook, workers investigate with the real collectors (Kubernetes is a wire-protocol
// fake), and the reports land in Postgres and in an S3-protocol server.

type Ctx = Awaited<ReturnType<typeof testContext>>;
interface CaseRow {
  caseId: string;
  alertname: string;
  namespace: string | null;
  family: string | null;
  classification: string | null;
  investigationState: string | null;
}

describe('end to end: Prometheus → Alertmanager → Tarka → report', () => {
  let ctx: Ctx;
  let app: FastifyInstance;
  let runners: ProjectorRunner[];
  let stopWorker: () => Promise<void>;
  let monitoring: MonitoringStack;
  let kube: FakeKubernetes;
  let s3: Awaited<ReturnType<typeof startS3Server>>;
  let ticker: NodeJS.Timeout;
  let cases: CaseRow[] = [];

  beforeAll(async () => {
    s3 = await startS3Server();
    kube = await startFakeKubernetes();
    const c = cluster();
    kube.add(...c.objects);
    kube.setLogs('payments', 'api-7d9f8b6c5-x2k4q', 'api', {
      previous: c.previousLogs,
      current: c.previousLogs.slice(0, 2),
    });
    const port = await freePort();
    monitoring = await startMonitoring({
      webhookUrl: `http://127.0.0.1:${port}/alerts`,
      rules,
      history: history(),
      live: live(0),
    });
    let tick = 0;
    ticker = setInterval(() => monitoring.setLive(live(++tick)), 2000);
    ctx = await testContext({
      PROMETHEUS_URL: monitoring.prometheusUrl,
      ALERTMANAGER_URL: monitoring.alertmanagerUrl,
      S3_BUCKET: s3.settings.bucket,
      S3_ENDPOINT_URL: s3.endpoint,
      S3_ACCESS_KEY_ID: s3.settings.accessKeyId!,
      S3_SECRET_ACCESS_KEY: s3.settings.secretAccessKey!,
      S3_PREFIX: 'reports/',
    });
    app = buildApp(ctx);
    await app.listen({ host: '127.0.0.1', port });
    runners = startProjectors(ctx);
    stopWorker = (await startWorker(ctx, createToolkit(ctx.config, { kube: kube.kubeConfig() }))).stop;
  }, 120_000);

  afterAll(async () => {
    clearInterval(ticker);
    await stopWorker?.();
    await Promise.all((runners ?? []).map((r) => r.stop()));
    await app?.close();
    await monitoring?.stop();
    await kube?.close();
    await s3?.stop();
    await ctx?.dispose();
  });

  const expected = ['KubePodCrashLooping', 'KubeJobFailed', 'HTTP5xxRateHigh', 'Watchdog'];
  const byName = (alertname: string, namespace?: string) =>
    cases.find((c) => c.alertname === alertname && (namespace === undefined || c.namespace === namespace));
  const reportOf = async (caseId: string) => {
    const detail = (await app.inject(`/api/cases/${caseId}`)).json();
    return detail.events.findLast((e: { type: string }) => e.type === 'InvestigationCompleted').data.report;
  };

  it('turns every firing rule into a case whose investigation completes', async () => {
    await waitFor(async () => {
      cases = (await app.inject('/api/cases?limit=100')).json().cases;
      const done = cases.filter((c) => c.investigationState === 'completed');
      return (
        expected.every((n) => done.some((c) => c.alertname === n)) &&
        done.filter((c) => c.alertname === 'KubePodCrashLooping').length === 2
      );
    }, 90_000);
  }, 100_000);

  it('names the right family, from evidence as well as the alert name', () => {
    expect(byName('KubePodCrashLooping', 'payments')?.family).toBe('crashloop');
    // Same alert name, but Prometheus shows the container was OOMKilled.
    expect(byName('KubePodCrashLooping', 'search')?.family).toBe('oom_killed');
    expect(byName('KubeJobFailed')?.family).toBe('job_failed');
    expect(byName('HTTP5xxRateHigh')?.family).toBe('http_5xx');
    expect(byName('Watchdog')).toMatchObject({ family: 'meta', classification: 'informational' });
  });

  it('cites evidence with the exact queries, and ties the crash to the logs and the rollout', async () => {
    const report = await reportOf(byName('KubePodCrashLooping', 'payments')!.caseId);
    const top = report.hypotheses[0];
    expect(top.evidence.length).toBeGreaterThan(0);
    expect(top.queries.length).toBeGreaterThan(0);
    const text = JSON.stringify(report);
    expect(text).toMatch(/connection refused/i);
    expect(text).toMatch(/kube_pod_container_status_restarts_total\{[^}]*pod=\\"api-7d9f8b6c5-x2k4q\\"/);
    expect(text).toMatch(/2\.7\.3[\s\S]*2\.8\.0|2\.8\.0[\s\S]*2\.7\.3/);
    expect(
      report.evidence.every((e: { query: string }) => typeof e.query === 'string' && e.query.length > 0),
    ).toBe(true);
  });

  it('states what it could not see instead of guessing', async () => {
    const logsUnknown = JSON.stringify((await reportOf(byName('HTTP5xxRateHigh')!.caseId)).unknowns);
    expect(logsUnknown).toMatch(/log/i); // no LOGS_URL configured
    const oom = await reportOf(byName('KubePodCrashLooping', 'search')!.caseId);
    expect(JSON.stringify(oom.unknowns)).toMatch(/indexer-0|not found|Kubernetes/i);
  });

  it('writes JSON and Markdown snapshots to S3 under <prefix>YYYY-MM-DD/<fingerprint>-<family>', async () => {
    await runnerOf(runners, 'reports').waitFor(await ctx.store.headSeq());
    const keys = await new S3ObjectStore(s3.settings).list('reports/');
    for (const c of cases.filter((x) => x.investigationState === 'completed')) {
      expect(
        keys.some(
          (k) => /^reports\/\d{4}-\d{2}-\d{2}\//.test(k) && k.endsWith(`/${c.caseId}-${c.family}.json`),
        ),
        c.alertname,
      ).toBe(true);
      expect(keys.some((k) => k.endsWith(`/${c.caseId}-${c.family}.md`))).toBe(true);
    }
    const json = await new S3ObjectStore(s3.settings).get(keys.find((k) => k.endsWith('.json'))!);
    expect(Buffer.byteLength(json!)).toBeLessThan(30 * 1024);
  });

  it('keeps the examples in docs/examples current when asked (UPDATE_EXAMPLES=1)', async () => {
    if (!process.env.UPDATE_EXAMPLES) return;
    const dir = resolve(import.meta.dirname, '../../docs/examples');
    mkdirSync(dir, { recursive: true });
    for (const c of cases.filter((x) => x.investigationState === 'completed')) {
      const name = `${c.family}-${c.alertname}${c.namespace ? `-${c.namespace}` : ''}`;
      const report = await reportOf(c.caseId);
      writeFileSync(join(dir, `${name}.json`), `${JSON.stringify(report, null, 2)}\n`);
      writeFileSync(join(dir, `${name}.md`), renderReport(report));
    }
  });
});
