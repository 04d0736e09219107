import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/http/app.js';
import { startProjectors } from '../../src/runtime/projectors.js';
import type { ProjectorRunner } from '../../src/projections/engine/runner.js';
import { startWorker } from '../../src/runtime/worker-process.js';
import { createToolkit } from '../../src/investigation/toolkit.js';
import { startFakeKubernetes, type FakeKubernetes } from '../../src/testkit/fake-kubernetes.js';
import { startFakeVictoriaLogs, type FakeLogs } from '../../src/testkit/fake-logs.js';
import { freePort } from '../../src/testkit/processes.js';
import { waitFor } from '../../src/events/event-store.contract.js';
import type { ChatThread, ChatTurnWithCalls } from '../../src/contract/chat.js';
import { testContext } from '../support/context.js';
import { startMonitoring, type MonitoringStack } from '../support/monitoring.js';
import { cluster, history, live, rules } from '../e2e/scenarios.js';

// Chat without any LLM against the real Prometheus + Alertmanager end-to-end setup: each intent
// is asked on a real case (or the inbox) and its answer checked against figures read straight
// from the same sources. Kubernetes and the logs backend are wire-protocol fakes.

type Ctx = Awaited<ReturnType<typeof testContext>>;
interface CaseRow {
  caseId: string;
  alertname: string;
  namespace: string | null;
  status: string;
  episodeStartedAt: string;
  investigationState: string | null;
}

const HOSTILE_LINE = '<img src=x onerror=alert(1)> "}) or vector(1)';

describe('chat without an LLM, on the real Prometheus + Alertmanager setup', () => {
  let ctx: Ctx;
  let app: FastifyInstance;
  let runners: ProjectorRunner[];
  let stopWorker: () => Promise<void>;
  let monitoring: MonitoringStack;
  let kube: FakeKubernetes;
  let logs: FakeLogs;
  let ticker: NodeJS.Timeout;
  let cases: CaseRow[] = [];
  let crash: CaseRow;

  beforeAll(async () => {
    kube = await startFakeKubernetes();
    const c = cluster();
    kube.add(...c.objects);
    kube.setLogs('payments', 'api-7d9f8b6c5-x2k4q', 'api', {
      previous: c.previousLogs,
      current: c.previousLogs.slice(0, 2),
    });
    const now = Date.now();
    logs = await startFakeVictoriaLogs([
      ...Array.from({ length: 30 }, (_, i) => ({
        time: new Date(now - (30 - i) * 20_000),
        fields: { namespace: 'payments', pod: 'api-7d9f8b6c5-x2k4q', container: 'api' },
        msg: `dial tcp 10.0.0.7:5432: connect: connection refused (attempt ${i + 1})`,
      })),
      {
        time: new Date(now - 5_000),
        fields: { namespace: 'payments', pod: 'api-7d9f8b6c5-x2k4q', container: 'api' },
        msg: HOSTILE_LINE,
      },
    ]);
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
      LOGS_URL: logs.url,
      LOGS_BACKEND: 'victorialogs',
      CHAT_TURNS_PER_MINUTE: '100',
    });
    app = buildApp(ctx);
    await app.listen({ host: '127.0.0.1', port });
    runners = startProjectors(ctx);
    // The worker answers chat too, with the same collectors (Kubernetes here is the fake).
    stopWorker = (await startWorker(ctx, createToolkit(ctx.config, { kube: kube.kubeConfig() }))).stop;
    await waitFor(async () => {
      cases = (await app.inject('/api/cases?limit=100')).json().cases;
      const done = cases.filter((x) => x.investigationState === 'completed');
      return ['KubePodCrashLooping', 'HTTP5xxRateHigh', 'KubeJobFailed'].every((n) =>
        done.some((x) => x.alertname === n),
      );
    }, 100_000);
    crash = cases.find((x) => x.alertname === 'KubePodCrashLooping' && x.namespace === 'payments')!;
  }, 150_000);

  afterAll(async () => {
    clearInterval(ticker);
    await stopWorker?.();
    await Promise.all((runners ?? []).map((r) => r.stop()));
    await app?.close();
    await monitoring?.stop();
    await kube?.close();
    await logs?.close();
    await ctx?.dispose();
  });

  async function ask(path: string, text: string, user = 'ana@example.com'): Promise<ChatTurnWithCalls> {
    const res = await app.inject({
      method: 'POST',
      url: path,
      payload: { text },
      headers: { 'x-test-user': user },
    });
    expect(res.statusCode, res.body).toBe(202);
    const { turnId } = res.json() as { turnId: string };
    let turn: ChatTurnWithCalls | undefined;
    await waitFor(async () => {
      const thread = (await app.inject(path)).json() as ChatThread;
      turn = thread.turns.find((t) => t.turnId === turnId);
      return !!turn && turn.status !== 'pending';
    }, 30_000);
    expect(turn!.status, turn!.error ?? '').toBe('answered');
    return turn!;
  }
  const caseChat = () => `/api/cases/${crash.caseId}/chat`;
  const reportOf = async (caseId: string) => {
    const detail = (await app.inject(`/api/cases/${caseId}`)).json();
    return detail.events.findLast((e: { type: string }) => e.type === 'InvestigationCompleted').data.report;
  };
  const promInstant = async (query: string) => {
    const r = await fetch(`${monitoring.prometheusUrl}/api/v1/query?query=${encodeURIComponent(query)}`);
    return (
      (await r.json()) as { data: { result: { metric: Record<string, string>; value: [number, string] }[] } }
    ).data.result;
  };

  it('summary and status: the report summary, classification and scores of the case', async () => {
    const report = await reportOf(crash.caseId);
    const turn = await ask(caseChat(), "what's going on?");
    expect(turn.intent).toBe('summary');
    expect(turn.answer).toContain(report.summary);
    expect(turn.answer).toContain(`Classified ${report.classification}`);
    expect(turn.answer).toContain(`impact ${report.scores.impact}`);
    expect(turn.calls.map((c) => [c.tool, c.status])).toEqual([['case_report', 'ok']]);
    expect(turn.citations.some((c) => c.kind === 'case' && c.ref === crash.caseId)).toBe(true);
  });

  it('why this classification: the reason and the largest score factor', async () => {
    const report = await reportOf(crash.caseId);
    const turn = await ask(caseChat(), 'why is it classified like that?');
    expect(turn.intent).toBe('why');
    expect(turn.answer).toContain(report.classificationReason);
    const biggest = [...report.scores.breakdown].sort(
      (a: { points: number }, b: { points: number }) => Math.abs(b.points) - Math.abs(a.points),
    )[0];
    expect(turn.answer).toContain(biggest.factor);
  });

  it('what changed: the rollout from 2.7.3 to 2.8.0, with its evidence id', async () => {
    const turn = await ask(caseChat(), 'what changed before this?');
    expect(turn.intent).toBe('changes');
    expect(turn.answer).toMatch(/2\.7\.3[\s\S]*→[\s\S]*2\.8\.0/);
    const report = await reportOf(crash.caseId);
    expect(
      turn.citations.some((c) => c.kind === 'evidence' && c.ref === report.changes.items[0].evidenceId),
    ).toBe(true);
  });

  it('the query behind a hypothesis: its evidence ids and exact queries', async () => {
    const report = await reportOf(crash.caseId);
    const turn = await ask(caseChat(), 'show the query behind hypothesis 1');
    expect(turn.intent).toBe('evidence');
    for (const q of report.hypotheses[0].queries) expect(turn.answer).toContain(q);
    for (const id of report.hypotheses[0].evidence)
      expect(turn.citations.some((c) => c.ref === id)).toBe(true);
  });

  it('runs PromQL instant and range, with the same figures as Prometheus', async () => {
    const query = 'kube_pod_container_status_restarts_total{namespace="payments"}';
    const direct = await promInstant(query);
    expect(direct.length).toBeGreaterThan(0);
    const instant = await ask(caseChat(), `run \`${query}\``);
    expect(instant.intent).toBe('promql');
    expect(instant.calls[0]!.request).toBe(query);
    expect(instant.answer).toContain(`${direct.length} series now`);
    // The history series (no instance label) holds still; the live one climbs as the test runs.
    const still = direct.find((x) => !x.metric.instance)!;
    expect(instant.answer).toMatch(
      new RegExp(
        `job="kube-state-metrics", namespace="payments", pod="api-7d9f8b6c5-x2k4q"\\} = ${Number(still.value[1])}(\\n|$)`,
      ),
    );
    const range = await ask(caseChat(), `run \`${query}\` over the last 30m`);
    expect(range.calls[0]!.request).toBe(`${query} [range 30m]`);
    expect(range.answer).toMatch(/series over the last 30 min/);
    const historyLine = range
      .answer!.split('\n')
      .find((l) => l.includes('job="kube-state-metrics"') && !l.includes('instance='))!;
    const points = Number(/\((\d+) points\)/.exec(historyLine)![1]);
    expect(points).toBeGreaterThan(10);
  });

  it('Kubernetes: the pod with its restarts and the rollout with its revisions', async () => {
    const turn = await ask(caseChat(), 'show the pod and the rollout');
    expect(turn.intent).toBe('kubernetes');
    expect(turn.answer).toContain('Pod payments/api-7d9f8b6c5-x2k4q is Running');
    expect(turn.answer).toMatch(/api: waiting \(CrashLoopBackOff\), 6 restarts/);
    expect(turn.answer).toContain('registry.example.com/payments/api:2.8.0');
    expect(turn.calls.map((c) => c.tool)).toEqual(['k8s_pod', 'k8s_rollout']);
    expect(turn.calls.every((c) => c.status === 'ok')).toBe(true);
  });

  it('tails the logs of the target; hostile log text stays text', async () => {
    const turn = await ask(caseChat(), 'tail the last 5 log lines');
    expect(turn.intent).toBe('logs');
    expect(turn.answer).toContain('Newest 5 log lines of payments/api-7d9f8b6c5-x2k4q');
    expect(turn.answer).toContain('connection refused (attempt 30)');
    expect(turn.answer).toContain(HOSTILE_LINE);
    expect(logs.requests.at(-1)!.params.get('query')).toBe(
      'namespace:="payments" pod:="api-7d9f8b6c5-x2k4q" container:="api"',
    );
  });

  it('rerun with another window: a new investigation through the rerun command, over that window', async () => {
    const turn = await ask(caseChat(), 'rerun the investigation with a 2h window');
    expect(turn.intent).toBe('rerun');
    expect(turn.calls[0]!.request).toBe(`POST /api/cases/${crash.caseId}/rerun (window 120m)`);
    expect(turn.answer).toMatch(/investigation [0-9a-f-]{36} queued/);
    const id = /investigation ([0-9a-f-]{36})/.exec(turn.answer!)![1];
    const requested = (await ctx.store.readAggregate(`case.${crash.caseId}`)).events.find(
      (e) => e.type === 'InvestigationRequested' && e.data.investigationId === id,
    );
    expect(requested?.type === 'InvestigationRequested' && requested.data).toMatchObject({
      reason: 'rerun',
      windowMinutes: 120,
    });
    // The worker investigated two hours each side of the alert's start, not TIME_WINDOW.
    let report: { window: { start: string } } | undefined;
    await waitFor(async () => {
      const done = (await ctx.store.readAggregate(`case.${crash.caseId}`)).events.find(
        (e) => e.type === 'InvestigationCompleted' && e.data.investigationId === id,
      );
      report = done?.type === 'InvestigationCompleted' ? (done.data.report as typeof report) : undefined;
      return !!report;
    }, 60_000);
    const anchor = requested?.type === 'InvestigationRequested' ? Date.parse(requested.data.anchor) : NaN;
    expect(Date.parse(report!.window.start)).toBe(anchor - 2 * 3_600_000);
  });

  it('similar past incidents: an earlier episode closed with a note shows with why and how', async () => {
    await waitFor(async () => {
      const c = (await app.inject(`/api/cases/${crash.caseId}`)).json().case;
      return c.investigationState === 'completed';
    }, 60_000);
    const closed = await app.inject({
      method: 'POST',
      url: `/api/cases/${crash.caseId}/resolve`,
      payload: { category: 'fixed', note: 'rolled back api to 2.7.3' },
    });
    expect(closed.statusCode).toBeLessThan(300);
    // The same alert again, a new episode (Tarka's webhook, as Alertmanager would send it).
    const labels = (await app.inject(`/api/cases/${crash.caseId}`)).json().case.labels;
    const again = await app.inject({
      method: 'POST',
      url: '/alerts',
      payload: {
        version: '4',
        status: 'firing',
        receiver: 'tarka',
        groupKey: 'x',
        truncatedAlerts: 0,
        groupLabels: {},
        commonLabels: {},
        commonAnnotations: {},
        externalURL: 'http://am',
        alerts: [
          {
            status: 'firing',
            labels,
            annotations: { summary: 'Pod is crash looping.' },
            startsAt: new Date().toISOString(),
            endsAt: '0001-01-01T00:00:00Z',
            generatorURL: '',
            fingerprint: crash.caseId,
          },
        ],
      },
    });
    expect(again.statusCode, again.body).toBeLessThan(300);
    await waitFor(async () => {
      const c = (await app.inject(`/api/cases/${crash.caseId}`)).json().case;
      return c.episodeCount === 2 && c.investigationState === 'completed';
    }, 60_000);
    const turn = await ask(caseChat(), 'have we seen this before?');
    expect(turn.intent).toBe('similar');
    expect(turn.answer).toMatch(new RegExp(`\\[${crash.caseId} episode 1`));
    expect(turn.answer).toContain('closed as fixed');
    expect(turn.answer).toContain('"rolled back api to 2.7.3"');
    expect(turn.answer).toMatch(/same_workload/);
  });

  it('global: counts, noisy alerts, firing per namespace, trends and lookup, with the inbox figures', async () => {
    const all = (await app.inject('/api/cases?limit=500')).json() as { cases: CaseRow[]; total: number };
    const counts = await ask('/api/chat', 'how many cases are there?');
    expect(counts.intent).toBe('counts');
    expect(counts.answer).toContain(`${all.total} cases:`);
    const noisy = await ask('/api/chat', 'top noisy alerts');
    expect(noisy.intent).toBe('noisy');
    expect(noisy.answer).toMatch(/1\. KubePodCrashLooping: \d+ episodes over 2 cases/);
    const firing = await ask('/api/chat', 'what is firing in namespace payments?');
    expect(firing.intent).toBe('firing');
    const inPayments = all.cases.filter((x) => x.namespace === 'payments' && x.status === 'firing');
    expect(firing.answer).toContain(`${inPayments.length} firing for namespace payments`);
    for (const x of inPayments) expect(firing.answer).toContain(x.caseId);
    const trends = await ask('/api/chat', 'trend vs the previous 24h');
    expect(trends.intent).toBe('trends');
    const dayAgo = Date.now() - 86_400_000;
    const current = all.cases.filter((x) => Date.parse(x.episodeStartedAt) >= dayAgo).length;
    expect(trends.answer).toContain(`${current} episodes started in the last 24h against 0`);
    const http = all.cases.find((x) => x.alertname === 'HTTP5xxRateHigh')!;
    const lookup = await ask('/api/chat', 'find case HTTP5xxRateHigh');
    expect(lookup.intent).toBe('lookup');
    expect(lookup.answer).toContain(`[${http.caseId}]`);
  });

  it('unrecognised and hostile questions: the help, nothing invented, nothing as markup or query', async () => {
    const turn = await ask(caseChat(), '<script>alert(1)</script> tell me a joke');
    expect(turn.intent).toBe('help');
    expect(turn.calls).toEqual([]);
    expect(turn.answer).toMatch(/did not recognise/);
    expect(turn.text).toBe('<script>alert(1)</script> tell me a joke');
    // A query that tries to break out of a label value is sent as the user typed it: one query.
    const q = 'up{job="x\\"}) or vector(1) #"}';
    const promql = await ask(caseChat(), `run \`${q}\``);
    expect(promql.calls[0]!.request).toBe(q);
    expect(promql.answer).toMatch(/^Nothing found for the query|^I could not read the query/);
  });

  it('refuses empty, too long and unknown-case questions with stable codes', async () => {
    const post = (url: string, text: string) => app.inject({ method: 'POST', url, payload: { text } });
    expect((await post(caseChat(), '   ')).json().code).toBe('TARKA_CHAT_EMPTY');
    expect((await post(caseChat(), 'x'.repeat(2001))).json().code).toBe('TARKA_CHAT_TOO_LONG');
    const missing = await post('/api/cases/nosuchcase/chat', 'summary');
    expect([missing.statusCode, missing.json().code]).toEqual([404, 'TARKA_NOT_FOUND']);
  });
});
