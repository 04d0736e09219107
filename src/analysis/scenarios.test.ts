// Scenario tests: one realistic alert per family, planned, answered and analysed end to end.
// Assertions are what an SRE would check: the family, the top cause, the cited evidence and
// queries, and the ranking — not whole outputs.

import { describe, expect, it } from 'vitest';
import { EV } from './ids.js';
import {
  alerts,
  container,
  deploymentOwners,
  events,
  logs,
  node,
  pod,
  silences,
  workload,
} from '../testkit/analysis/kube.js';
import {
  instant,
  makeAlert,
  MiB,
  minutesBefore,
  NOW,
  points,
  pointsBetween,
  range,
  run,
  STARTS_AT,
  type Answer,
  type Run,
} from '../testkit/analysis/scenario.js';

// Labels as captured from a real Alertmanager (see /work/shared/fixtures/alertmanager).
const CRASHLOOP_LABELS = {
  alertname: 'KubePodCrashLooping',
  cluster: 'prod-eu-1',
  container: 'api',
  job: 'kube-state-metrics',
  namespace: 'payments',
  pod: 'api-7d9f8b6c5-x2k4q',
  prometheus: 'monitoring/k8s',
  reason: 'CrashLoopBackOff',
  severity: 'warning',
};
const CRASHLOOP_EXPR =
  'max_over_time(kube_pod_container_status_waiting_reason{job="kube-state-metrics",reason="CrashLoopBackOff"}[1m]) >= 1';

const hyp = (r: Run, id: string) => r.report.hypotheses.find((h) => h.id === id);
const item = (r: Run, id: string) => r.evidence.find((e) => e.id === id)!;

function crashloopRun(
  overrides: {
    lastReason?: string;
    exitCode?: number;
    memPeak?: number;
    extra?: Record<string, Answer>;
  } = {},
): Run {
  const pk = { namespace: 'payments', pod: 'api-7d9f8b6c5-x2k4q', container: 'api' };
  const reason = overrides.lastReason ?? 'Error';
  const exitCode = overrides.exitCode ?? 1;
  return run(makeAlert(CRASHLOOP_LABELS, { expr: CRASHLOOP_EXPR }), ({ window }) => ({
    [EV.alertExpr]: range([
      { labels: { ...pk, reason: 'CrashLoopBackOff' }, points: pointsBetween(STARTS_AT, NOW) },
    ]),
    // One restart every five minutes from 18:50 on.
    [EV.restarts]: range([
      { labels: pk, points: points(window, (s) => Math.max(0, Math.floor((s - 2700) / 300))) },
    ]),
    [EV.lastTerminated]: instant([{ labels: { ...pk, reason }, value: 1 }]),
    [EV.exitCode]: instant([{ labels: pk, value: exitCode }]),
    [EV.waiting]: instant([{ labels: { ...pk, reason: 'CrashLoopBackOff' }, value: 1 }]),
    [EV.memory]: range([
      {
        labels: pk,
        points: points(window, (s) =>
          overrides.memPeak ? overrides.memPeak * Math.min(1, (s % 300) / 240) : 120 * MiB,
        ),
      },
    ]),
    [EV.memoryLimit]: instant([{ labels: { ...pk, resource: 'memory' }, value: 512 * MiB }]),
    [EV.workloadRestarts]: range([
      { labels: { pod: 'api-7d9f8b6c5-x2k4q' }, points: points(window, (s) => Math.floor(s / 600)) },
      { labels: { pod: 'api-7d9f8b6c5-m8n3p' }, points: points(window, (s) => Math.floor(s / 900)) },
      { labels: { pod: 'api-7d9f8b6c5-p9r2t' }, points: points(window, (s) => Math.floor(s / 700)) },
    ]),
    [EV.amAlerts]: alerts([
      { fingerprint: '0d2c53143e6b19e6', labels: { ...CRASHLOOP_LABELS } },
      { fingerprint: 'b8e165cd23053948', labels: { ...CRASHLOOP_LABELS, pod: 'api-7d9f8b6c5-m8n3p' } },
    ]),
    [EV.amSilences]: silences([]),
    [EV.pod]: pod({
      name: 'api-7d9f8b6c5-x2k4q',
      namespace: 'payments',
      labels: { app: 'api', team: 'payments-core', 'app.kubernetes.io/part-of': 'checkout' },
      owners: deploymentOwners('api', '7d9f8b6c5'),
      containers: [
        container({
          name: 'api',
          ready: false,
          restartCount: 9,
          state: 'waiting',
          reason: 'CrashLoopBackOff',
          message: 'back-off 5m0s restarting failed container=api',
          lastTermination: { reason, exitCode, finishedAt: '2026-11-26T19:25:02Z' },
        }),
      ],
    }),
    [EV.podEvents]: events([
      {
        reason: 'BackOff',
        message: 'Back-off restarting failed container api in pod api-7d9f8b6c5-x2k4q',
        count: 41,
      },
    ]),
    [EV.workload]: workload({
      kind: 'Deployment',
      name: 'api',
      namespace: 'payments',
      desiredReplicas: 3,
      availableReplicas: 1,
      conditions: [{ type: 'Available', status: 'False', reason: 'MinimumReplicasUnavailable' }],
      // Last rollout two days ago: nothing changed recently.
      revisions: [
        { revision: '14', images: ['registry.example.com/api:1.8.2'], createdAt: '2026-11-24T10:00:00Z' },
      ],
    }),
    [EV.previousLogs]: logs(
      reason === 'OOMKilled'
        ? [
            '2026-11-26T19:24:10Z INFO loading ledger cache',
            '2026-11-26T19:24:58Z INFO cache entries=1982734',
          ]
        : [
            '2026-11-26T19:24:59.101Z INFO starting api version=1.8.2',
            '2026-11-26T19:25:00.201Z ERROR failed to connect to postgres: dial tcp 10.0.3.7:5432: connect: connection refused',
            '2026-11-26T19:25:00.702Z ERROR failed to connect to postgres: dial tcp 10.0.3.7:5432: connect: connection refused',
            '2026-11-26T19:25:01.203Z ERROR failed to connect to postgres: dial tcp 10.0.3.7:5432: connect: connection refused',
            '2026-11-26T19:25:01.999Z FATAL giving up after 3 attempts',
          ],
      'kubernetes',
    ),
    [EV.logs]: logs(
      reason === 'OOMKilled'
        ? []
        : [
            '{"level":"error","ts":"2026-11-26T19:20:00Z","msg":"db connect failed","error":"dial tcp 10.0.3.7:5432: connect: connection refused"}',
            '{"level":"info","ts":"2026-11-26T19:20:01Z","msg":"retrying in 500ms"}',
          ],
    ),
    ...overrides.extra,
  }));
}

describe('crashloop', () => {
  const r = crashloopRun();

  it('keeps the crashloop family and names the pod and its Deployment', () => {
    expect(r.report.family).toBe('crashloop');
    expect(r.report.target.display).toBe('payments/api-7d9f8b6c5-x2k4q (Deployment payments/api)');
    expect(r.report.target.workload).toMatchObject({
      kind: 'Deployment',
      name: 'api',
      source: 'owner-chain',
    });
    expect(r.report.target.team).toEqual({ value: 'payments-core', source: 'pod label team' });
  });

  it('ranks the connection-refused dependency first, citing the logs and the restarts with their queries', () => {
    const top = r.report.hypotheses[0]!;
    expect(top.id).toBe('sig.connection_refused');
    expect(top.title).toContain('10.0.3.7:5432');
    expect(top.evidence).toEqual(expect.arrayContaining([EV.previousLogs, EV.restarts]));
    expect(top.queries).toContain(item(r, EV.previousLogs).query);
    expect(top.queries).toContain(item(r, EV.restarts).query);
    expect(item(r, EV.restarts).query).toMatch(/^kube_pod_container_status_restarts_total\{/);
  });

  it('also reports the exit code and that all pods of the Deployment restart', () => {
    expect(hyp(r, 'exit.1')).toBeDefined();
    expect(hyp(r, 'scope.all_pods')?.evidence).toEqual([EV.workloadRestarts]);
    const scores = r.report.hypotheses.map((h) => h.score);
    expect(scores).toEqual([...scores].sort((a, b) => b - a));
  });

  it('folds repeated log lines into one pattern with a count', () => {
    const p = r.report.logFindings.patterns.find((x) => x.pattern.includes('connection refused'));
    expect(p?.count).toBeGreaterThanOrEqual(3);
    expect(p?.pattern).toContain('<ip>');
    expect(r.report.logFindings.signatures[0]?.id).toBe('connection_refused');
  });

  it('gives the blast radius from Alertmanager and no rollout in the window', () => {
    expect(r.report.blastRadius).toMatchObject({ known: true, firing: 2, thisAlertActive: true });
    expect(r.report.blastRadius.namespaces.names).toEqual(['payments']);
    expect(r.report.changes).toMatchObject({ known: true, items: [] });
  });

  it('lists PromQL next steps before kubectl', () => {
    const kinds = r.report.nextSteps.map((s) => s.kind);
    expect(kinds[0]).toBe('promql');
    expect(kinds.lastIndexOf('promql')).toBeLessThan(kinds.indexOf('kubectl'));
    expect(r.report.nextSteps.some((s) => s.command.includes('--previous'))).toBe(true);
    expect(r.report.classification).toBe('actionable');
  });
});

describe('oom_killed', () => {
  const r = crashloopRun({ lastReason: 'OOMKilled', exitCode: 137, memPeak: 505 * MiB });

  it('turns a crash loop whose last termination is OOMKilled into oom_killed, saying why', () => {
    expect(r.report.family).toBe('oom_killed');
    expect(r.report.familyDetail.preliminary).toBe('crashloop');
    expect(r.report.familyDetail.reasons.join(' ')).toMatch(/OOMKilled/);
  });

  it('ranks "exceeds memory limit" first, citing pod state, memory and limit queries', () => {
    const top = r.report.hypotheses[0]!;
    expect(top.id).toBe('oom.limit');
    expect(top.score).toBeGreaterThanOrEqual(85);
    expect(top.evidence).toEqual(expect.arrayContaining([EV.pod, EV.memory, EV.memoryLimit]));
    expect(top.queries).toContain(item(r, EV.memory).query);
    expect(item(r, EV.memoryLimit).query).toContain('kube_pod_container_resource_limits{');
    expect(item(r, EV.memoryLimit).query).toContain('resource="memory"');
    // SIGKILL by the OOM killer is not reported as a separate exit-code cause.
    expect(hyp(r, 'exit.137')).toBeUndefined();
  });
});

describe('cpu_throttling', () => {
  const labels = {
    alertname: 'CPUThrottlingHigh',
    cluster: 'prod-eu-1',
    container: 'indexer',
    namespace: 'search',
    pod: 'indexer-0',
    prometheus: 'monitoring/k8s',
    severity: 'info',
  };
  const pk = { namespace: 'search', pod: 'indexer-0', container: 'indexer' };
  const r = run(makeAlert(labels), ({ window }) => ({
    [EV.throttling]: range([{ labels: pk, points: points(window, () => 0.43) }]),
    [EV.cpuUsage]: range([{ labels: pk, points: points(window, (_, i) => 0.9 + (i % 3) * 0.03) }]),
    [EV.cpuLimit]: instant([{ labels: { ...pk, resource: 'cpu' }, value: 1 }]),
    [EV.amAlerts]: alerts([{ fingerprint: '0d2c53143e6b19e6', labels }]),
  }));

  it('plans cAdvisor throttling and usage with kube-state-metrics limits, for a StatefulSet pod', () => {
    const q = r.requests.map((x) => ('query' in x ? x.query : '')).join('\n');
    expect(q).toContain('container_cpu_cfs_throttled_periods_total{');
    expect(q).toContain('container_cpu_cfs_periods_total{');
    expect(q).toContain(
      'kube_pod_container_resource_limits{namespace="search",pod="indexer-0",container="indexer",resource="cpu"}',
    );
    expect(r.requests.find((x) => x.kind === 'workload')).toMatchObject({
      workloadKind: 'StatefulSet',
      name: 'indexer',
    });
  });

  it('blames a CPU limit that is too low, and treats an info alert as informational', () => {
    expect(r.report.family).toBe('cpu_throttling');
    expect(r.report.hypotheses[0]?.id).toBe('cpu.limit_too_low');
    expect(r.report.hypotheses[0]?.evidence).toEqual([EV.throttling, EV.cpuUsage, EV.cpuLimit]);
    expect(r.report.classification).toBe('informational');
    expect(r.report.scores.impact).toBeLessThan(50);
  });
});

describe('http_5xx with a rollout ten minutes before', () => {
  const labels = {
    alertname: 'HTTP5xxRateHigh',
    cluster: 'prod-eu-1',
    job: 'frontend',
    namespace: 'storefront',
    prometheus: 'monitoring/k8s',
    service: 'frontend',
    severity: 'critical',
  };
  const expr =
    'sum by (cluster, namespace, job, service) (rate(http_requests_total{code=~"5.."}[1m])) / sum by (cluster, namespace, job, service) (rate(http_requests_total[1m])) > 0.05';
  const r = run(makeAlert(labels, { expr, fingerprint: '08c69761a438806b' }), ({ window }) => ({
    [EV.alertExpr]: range([
      {
        labels: { namespace: 'storefront', job: 'frontend', service: 'frontend' },
        points: pointsBetween(STARTS_AT, NOW, 0.085),
      },
    ]),
    [EV.errorRatio]: range([{ labels: {}, points: points(window, (s) => (s > 3000 ? 0.086 : 0.002)) }]),
    [EV.errorsByCode]: instant([
      { labels: { code: '500' }, value: 4.2 },
      { labels: { code: '503' }, value: 0.3 },
    ]),
    [EV.workloadRestarts]: range([
      { labels: { pod: 'frontend-5f6d8c9b7-abcde' }, points: points(window, () => 0) },
    ]),
    [EV.workload]: workload({
      kind: 'Deployment',
      name: 'frontend',
      namespace: 'storefront',
      labels: { 'app.kubernetes.io/part-of': 'storefront', team: 'web' },
      desiredReplicas: 4,
      availableReplicas: 4,
      conditions: [{ type: 'Available', status: 'True' }],
      revisions: [
        {
          revision: '37',
          images: ['registry.example.com/frontend:1.5.0'],
          createdAt: minutesBefore(STARTS_AT, 10),
        },
        {
          revision: '36',
          images: ['registry.example.com/frontend:1.4.2'],
          createdAt: '2026-11-20T09:00:00Z',
        },
      ],
    }),
    [EV.amAlerts]: alerts([{ fingerprint: '08c69761a438806b', labels }]),
    [EV.amSilences]: silences([]),
  }));

  it('targets the service and confirms the guessed Deployment from evidence', () => {
    expect(r.report.family).toBe('http_5xx');
    expect(r.report.target).toMatchObject({ kind: 'service', display: 'Service storefront/frontend' });
    expect(r.report.target.workload).toMatchObject({
      kind: 'Deployment',
      name: 'frontend',
      source: 'service-name',
    });
    expect(r.report.target.team).toEqual({ value: 'web', source: 'workload label team' });
  });

  it('plans a 5xx ratio from http_requests_total with the alert scope and no external labels', () => {
    const q = item(r, EV.errorRatio).query;
    expect(q).toContain(
      'http_requests_total{namespace="storefront",job="frontend",service="frontend",code=~"5.."}',
    );
    expect(q).not.toContain('cluster=');
  });

  it('correlates the rollout: old → new image, 10 minutes before the alert', () => {
    expect(r.report.changes.items[0]).toMatchObject({
      revision: '37',
      precedesAlert: true,
      minutesBeforeAlert: 10,
      imageChanged: true,
      imagesBefore: ['registry.example.com/frontend:1.4.2'],
      imagesAfter: ['registry.example.com/frontend:1.5.0'],
    });
  });

  it('ranks the rollout hypothesis first, citing the workload and the 5xx ratio query', () => {
    const top = r.report.hypotheses[0]!;
    expect(top.id).toBe('change.rollout');
    expect(top.score).toBeGreaterThanOrEqual(85);
    expect(top.evidence).toEqual(expect.arrayContaining([EV.workload, EV.errorRatio]));
    expect(top.queries).toContain(item(r, EV.errorRatio).query);
    expect(hyp(r, 'http.app_errors')!.score).toBeLessThan(top.score);
    expect(
      r.report.nextSteps.some((s) =>
        s.command.startsWith("kubectl --namespace='storefront' rollout undo 'deployment/frontend'"),
      ),
    ).toBe(true);
    expect(r.report.classification).toBe('actionable');
  });
});

describe('pod_not_healthy: ImagePullBackOff', () => {
  const labels = {
    alertname: 'KubePodNotReady',
    namespace: 'shop',
    pod: 'cart-6c8d5f7b9d-q2w4z',
    severity: 'warning',
    job: 'kube-state-metrics',
  };
  const image = 'registry.example.com/cart:2.0.1';
  const r = run(makeAlert(labels), () => ({
    [EV.waiting]: instant([
      {
        labels: { namespace: 'shop', pod: labels.pod, container: 'cart', reason: 'ImagePullBackOff' },
        value: 1,
      },
    ]),
    [EV.podPhase]: instant([{ labels: { namespace: 'shop', pod: labels.pod, phase: 'Pending' }, value: 1 }]),
    [EV.pod]: pod({
      name: labels.pod,
      namespace: 'shop',
      phase: 'Pending',
      owners: deploymentOwners('cart', '6c8d5f7b9d'),
      containers: [
        container({
          name: 'cart',
          image,
          ready: false,
          state: 'waiting',
          reason: 'ImagePullBackOff',
          message: `Back-off pulling image "${image}"`,
        }),
      ],
    }),
    [EV.podEvents]: events([
      {
        reason: 'Failed',
        message: `Failed to pull image "${image}": rpc error: code = NotFound desc = manifest unknown`,
        count: 7,
      },
      { reason: 'BackOff', message: `Back-off pulling image "${image}"`, count: 30, type: 'Normal' },
    ]),
  }));

  it('keeps pod_not_healthy with the image_pull sub-reason from the waiting reason', () => {
    expect(r.report.family).toBe('pod_not_healthy');
    expect(r.report.familyDetail.subReason).toBe('image_pull');
    expect(r.report.familyDetail.reasons.join(' ')).toContain('ImagePullBackOff');
  });

  it('ranks "image cannot be pulled" first with the image, citing pod, events and waiting-reason query', () => {
    const top = r.report.hypotheses[0]!;
    expect(top.id).toBe('sig.image_pull');
    expect(top.title).toContain(image);
    expect(top.evidence).toEqual(expect.arrayContaining([EV.pod, EV.podEvents, EV.waiting]));
    expect(top.queries).toContain(item(r, EV.waiting).query);
    expect(r.report.logFindings.signatures.find((s) => s.id === 'image_pull')?.detail).toBe(image);
  });
});

describe('memory_pressure', () => {
  const labels = {
    alertname: 'ContainerMemoryNearLimit',
    namespace: 'ledger',
    pod: 'ledger-0',
    container: 'ledger',
    severity: 'warning',
  };
  const pk = { namespace: 'ledger', pod: 'ledger-0', container: 'ledger' };
  const r = run(makeAlert(labels), ({ window }) => ({
    [EV.memory]: range([{ labels: pk, points: points(window, (s) => 250 * MiB + (s / 5160) * 230 * MiB) }]),
    [EV.memoryLimit]: instant([{ labels: { ...pk, resource: 'memory' }, value: 512 * MiB }]),
    [EV.lastTerminated]: { status: 'empty' },
  }));

  it('stays memory_pressure (no OOM kill yet) and reports usage near the limit and steady growth', () => {
    expect(r.report.family).toBe('memory_pressure');
    expect(r.report.hypotheses[0]?.id).toBe('memory.near_limit');
    expect(r.report.hypotheses[0]?.score).toBeGreaterThanOrEqual(75);
    expect(hyp(r, 'memory.growth')?.evidence).toEqual([EV.memory]);
  });
});

describe('target_down', () => {
  const labels = {
    alertname: 'TargetDown',
    job: 'orders',
    namespace: 'shop',
    service: 'orders',
    severity: 'warning',
  };
  const expr =
    '100 * (count(up == 0) BY (cluster, job, namespace, service) / count(up) BY (cluster, job, namespace, service)) > 10';
  const r = run(makeAlert(labels, { expr }), ({ window }) => ({
    [EV.alertExpr]: range([
      {
        labels: { job: 'orders', namespace: 'shop', service: 'orders' },
        points: pointsBetween(STARTS_AT, NOW, 66.7),
      },
    ]),
    [EV.up]: range([
      {
        labels: { job: 'orders', pod: 'orders-7b9c8d6f5-aaaaa', instance: '10.1.0.4:8080' },
        points: points(window, () => 1),
      },
      {
        labels: { job: 'orders', pod: 'orders-7b9c8d6f5-bbbbb', instance: '10.1.0.5:8080' },
        points: points(window, (s) => (s > 3500 ? 0 : 1)),
      },
      {
        labels: { job: 'orders', pod: 'orders-7b9c8d6f5-ccccc', instance: '10.1.0.6:8080' },
        points: points(window, (s) => (s > 3500 ? 0 : 1)),
      },
    ]),
    [EV.workload]: workload({
      kind: 'Deployment',
      name: 'orders',
      namespace: 'shop',
      desiredReplicas: 3,
      availableReplicas: 1,
    }),
  }));

  it('reports which scrape targets are down from `up`, citing the query', () => {
    expect(r.report.family).toBe('target_down');
    const h = hyp(r, 'target.some_down')!;
    expect(h.title).toMatch(/2 of 3/);
    expect(h.queries).toEqual(['up{namespace="shop",job="orders",service="orders"}']);
    expect(hyp(r, 'capacity.replicas')?.title).toContain('1 of 3');
  });
});

describe('job_failed', () => {
  const labels = {
    alertname: 'KubeJobFailed',
    cluster: 'prod-eu-1',
    condition: 'true',
    job: 'kube-state-metrics',
    job_name: 'nightly-reconcile-28911540',
    namespace: 'batch',
    prometheus: 'monitoring/k8s',
    severity: 'warning',
  };
  const stream = '{namespace="batch",pod="nightly-reconcile-28911540-x7k2p"}';
  const r = run(
    makeAlert(labels, {
      expr: 'kube_job_failed{job="kube-state-metrics"} > 0',
      fingerprint: '44cf390290cfb8c7',
    }),
    ({ window }) => ({
      [EV.jobStatus]: range([
        {
          labels: { __name__: 'kube_job_status_failed', job_name: 'nightly-reconcile-28911540' },
          points: points(window, (_, i) => Math.min(6, i)),
        },
        {
          labels: { __name__: 'kube_job_status_succeeded', job_name: 'nightly-reconcile-28911540' },
          points: points(window, () => 0),
        },
      ]),
      [EV.workload]: workload({
        kind: 'Job',
        name: 'nightly-reconcile-28911540',
        namespace: 'batch',
        failed: 6,
        succeeded: 0,
        conditions: [
          {
            type: 'Failed',
            status: 'True',
            reason: 'BackoffLimitExceeded',
            message: 'Job has reached the specified backoff limit',
          },
        ],
      }),
      [EV.logs]: logs([
        { stream, line: 'Traceback (most recent call last):' },
        { stream, line: '  File "/app/reconcile.py", line 88, in <module>' },
        { stream, line: '    conn = psycopg2.connect(DSN)' },
        {
          stream,
          line: 'psycopg2.OperationalError: FATAL:  password authentication failed for user "reconcile"',
        },
        // Another workload in the same namespace must not be blamed.
        {
          stream: '{namespace="batch",pod="exporter-5c7d9f8b6-zzzzz"}',
          line: 'dial tcp 10.0.0.9:9000: connect: connection refused',
        },
      ]),
    }),
  );

  it('uses job_name (not the scrape job) for the Job and its CronJob', () => {
    expect(r.requests.find((x) => x.kind === 'workload')).toMatchObject({
      workloadKind: 'Job',
      name: 'nightly-reconcile-28911540',
    });
    const q = item(r, EV.jobStatus).query;
    expect(q).toBe(
      '{__name__=~"kube_job_status_(failed|succeeded|active)",namespace="batch",job_name="nightly-reconcile-28911540"}',
    );
    expect(q).not.toContain('kube-state-metrics');
    expect(r.report.target.display).toBe(
      'Job batch/nightly-reconcile-28911540 (CronJob batch/nightly-reconcile)',
    );
  });

  it('explains the failure with backoff exhaustion and the credentials error from its own logs only', () => {
    expect(r.report.family).toBe('job_failed');
    expect(hyp(r, 'job.backoff')?.evidence).toEqual(expect.arrayContaining([EV.workload, EV.jobStatus]));
    expect(hyp(r, 'sig.auth_denied')).toBeDefined();
    expect(hyp(r, 'sig.connection_refused')).toBeUndefined();
    expect(r.report.logFindings.stackTraces[0]).toMatchObject({ language: 'python' });
    expect(r.report.logFindings.stackTraces[0]?.header).toContain('password authentication failed');
  });
});

describe('k8s_rollout_health', () => {
  // kube-state-metrics scraped without honorLabels: pod/container are the exporter's own.
  const labels = {
    alertname: 'KubeDeploymentReplicasMismatch',
    deployment: 'checkout',
    namespace: 'shop',
    job: 'kube-state-metrics',
    container: 'kube-state-metrics',
    pod: 'kube-state-metrics-5d8b9c7f6-abcde',
    severity: 'warning',
  };
  const r = run(makeAlert(labels), ({ window }) => ({
    [EV.replicas]: range([
      {
        labels: { __name__: 'kube_deployment_spec_replicas', deployment: 'checkout' },
        points: points(window, () => 4),
      },
      {
        labels: { __name__: 'kube_deployment_status_replicas_available', deployment: 'checkout' },
        points: points(window, (s) => (s > 2400 ? 2 : 4)),
      },
    ]),
    [EV.rolloutCondition]: instant([
      { labels: { deployment: 'checkout', condition: 'Progressing', status: 'false' }, value: 1 },
    ]),
    [EV.workloadWaiting]: instant([
      { labels: { pod: 'checkout-84d9c6b7f5-k2m4n', reason: 'ImagePullBackOff' }, value: 1 },
    ]),
    [EV.workload]: workload({
      kind: 'Deployment',
      name: 'checkout',
      namespace: 'shop',
      desiredReplicas: 4,
      availableReplicas: 2,
      updatedReplicas: 2,
      conditions: [
        {
          type: 'Progressing',
          status: 'False',
          reason: 'ProgressDeadlineExceeded',
          message: 'ReplicaSet "checkout-84d9c6b7f5" has timed out progressing.',
        },
      ],
      revisions: [
        {
          revision: '8',
          images: ['registry.example.com/checkout:3.1.0'],
          createdAt: minutesBefore(STARTS_AT, 20),
        },
        { revision: '7', images: ['registry.example.com/checkout:3.0.9'], createdAt: '2026-11-19T12:00:00Z' },
      ],
    }),
  }));

  it('targets the Deployment and ignores the exporter pod label', () => {
    expect(r.report.target).toMatchObject({ kind: 'workload', display: 'Deployment shop/checkout' });
    expect(r.requests.some((x) => x.kind === 'pod')).toBe(false);
    expect(item(r, EV.replicas).query).toBe(
      '{__name__=~"kube_deployment_spec_replicas|kube_deployment_status_replicas_available|kube_deployment_status_replicas_updated",namespace="shop",deployment="checkout"}',
    );
  });

  it('finds the stuck rollout and the image pull of its new pods', () => {
    expect(r.report.family).toBe('k8s_rollout_health');
    expect(r.report.hypotheses[0]?.id).toBe('sig.image_pull');
    expect(hyp(r, 'rollout.stuck')).toBeDefined();
    expect(hyp(r, 'change.rollout')?.title).toContain('checkout:3.0.9');
  });
});

describe('node not ready (pod_not_healthy, node_not_ready)', () => {
  const nodeName = 'ip-10-0-1-23.ec2.internal';
  const labels = {
    alertname: 'KubeNodeNotReady',
    node: nodeName,
    job: 'kube-state-metrics',
    severity: 'warning',
    cluster: 'prod-eu-1',
  };
  const r = run(makeAlert(labels), ({ window }) => ({
    [EV.nodeConditions]: instant([
      { labels: { node: nodeName, condition: 'Ready', status: 'unknown' }, value: 1 },
    ]),
    [EV.nodeReady]: range([
      { labels: { node: nodeName }, points: points(window, (s) => (s > 3600 ? 0 : 1)) },
    ]),
    [EV.podsOnNode]: instant([
      { labels: { namespace: 'payments' }, value: 9 },
      { labels: { namespace: 'kube-system' }, value: 5 },
    ]),
    [EV.node]: node({
      name: nodeName,
      conditions: [
        {
          type: 'Ready',
          status: 'Unknown',
          reason: 'NodeStatusUnknown',
          message: 'Kubelet stopped posting node status.',
        },
        { type: 'DiskPressure', status: 'Unknown' },
      ],
    }),
  }));

  it('targets the node and explains NotReady with the kubelet message', () => {
    expect(r.report.family).toBe('pod_not_healthy');
    expect(r.report.familyDetail.subReason).toBe('node_not_ready');
    expect(r.report.target).toMatchObject({ kind: 'node', display: `Node ${nodeName}` });
    const top = r.report.hypotheses[0]!;
    expect(top.id).toBe('node.not_ready');
    expect(top.rationale).toContain('Kubelet stopped posting node status');
    expect(top.rationale).toContain('14 pods');
    expect(r.report.nextSteps.some((s) => s.command === `kubectl describe 'node/${nodeName}'`)).toBe(true);
  });
});

describe('meta: Watchdog', () => {
  const labels = { alertname: 'Watchdog', severity: 'none', prometheus: 'monitoring/k8s' };
  const r = run(makeAlert(labels, { expr: 'vector(1)' }), () => ({
    [EV.alertExpr]: range([{ labels: {}, points: pointsBetween(STARTS_AT, NOW) }]),
    [EV.amAlerts]: alerts([{ fingerprint: '0d2c53143e6b19e6', labels }]),
  }));

  it('collects only the rule and Alertmanager, and reports it as informational with low impact', () => {
    expect(r.requests.map((x) => x.source).sort()).toEqual(['alertmanager', 'alertmanager', 'prometheus']);
    expect(r.report.family).toBe('meta');
    expect(r.report.classification).toBe('informational');
    expect(r.report.scores.impact).toBeLessThanOrEqual(10);
    expect(r.report.hypotheses[0]?.id).toBe('meta.by_design');
    expect(r.report.nextSteps).toEqual([]);
  });
});

describe('generic', () => {
  const labels = { alertname: 'QueueBacklogGrowing', queue: 'invoices', severity: 'warning' };
  const expr = 'sum by (queue) (rabbitmq_queue_messages_ready) > 1000';
  const r = run(makeAlert(labels, { expr }), () => ({
    [EV.alertExpr]: range([{ labels: { queue: 'invoices' }, points: pointsBetween(STARTS_AT, NOW, 4200) }]),
    [EV.amAlerts]: alerts([{ fingerprint: '0d2c53143e6b19e6', labels }]),
  }));

  it('stays generic, says why, and only claims what the rule expression shows', () => {
    expect(r.report.family).toBe('generic');
    expect(r.report.familyDetail.reasons[0]).toMatch(/no known name/);
    expect(r.report.target.kind).toBe('cluster');
    expect(r.report.hypotheses.map((h) => h.id)).toEqual(['generic.condition']);
    expect(r.report.hypotheses[0]?.queries).toEqual([expr]);
    expect(r.report.unknowns.join(' ')).toMatch(/no namespace label/);
  });
});

describe('noise and artifacts', () => {
  it('calls a flapping, silenced-elsewhere alert noisy', () => {
    const r = run(makeAlert(CRASHLOOP_LABELS, { expr: CRASHLOOP_EXPR }), () => ({
      [EV.alertExpr]: range([
        {
          labels: {},
          points: [
            ...pointsBetween(minutesBefore(STARTS_AT, 50), minutesBefore(STARTS_AT, 45)),
            ...pointsBetween(minutesBefore(STARTS_AT, 30), minutesBefore(STARTS_AT, 27)),
            ...pointsBetween(STARTS_AT, minutesBefore(NOW, 20)),
          ],
        },
      ]),
      [EV.amAlerts]: alerts([]),
      [EV.amSilences]: silences([
        {
          id: 's1',
          matchers: [
            { name: 'alertname', value: 'KubePodCrashLooping', isRegex: false, isEqual: true },
            { name: 'namespace', value: 'staging-.*', isRegex: true, isEqual: true },
          ],
          endsAt: '2026-12-01T00:00:00Z',
          createdBy: 'alice',
          comment: 'known flaky in staging',
        },
      ]),
    }));
    expect(r.report.classification).toBe('noisy');
    const factors = r.report.scores.breakdown.filter((b) => b.score === 'noise').map((b) => b.factor);
    expect(factors).toEqual(expect.arrayContaining(['flapping', 'auto-resolved', 'silenced elsewhere']));
    expect(r.report.blastRadius.silences).toMatchObject({ active: 1, matchingThisAlert: 0 });
  });

  it('calls an alert whose own expression returns nothing an artifact', () => {
    const r = run(makeAlert(CRASHLOOP_LABELS, { expr: CRASHLOOP_EXPR }), () => ({}));
    expect(item(r, EV.alertExpr).status).toBe('empty');
    expect(r.report.classification).toBe('artifact');
    expect(r.report.classificationReason).toMatch(/own rule expression returned no data/);
  });
});

describe('noise triggers on their own', () => {
  const silence = (value: string) => ({
    id: 's1',
    matchers: [
      { name: 'alertname', value: 'KubePodCrashLooping', isRegex: false, isEqual: true },
      { name: 'namespace', value, isRegex: false, isEqual: true },
    ],
    endsAt: '2026-12-01T00:00:00Z',
    createdBy: 'bob',
    comment: 'noisy',
  });
  const base = () => ({
    [EV.alertExpr]: range([{ labels: {}, points: pointsBetween(STARTS_AT, NOW) }]),
    [EV.amAlerts]: alerts([{ fingerprint: '0d2c53143e6b19e6', labels: CRASHLOOP_LABELS }]),
  });

  it('a silence matching this very alert makes it noisy', () => {
    const r = run(makeAlert(CRASHLOOP_LABELS, { expr: CRASHLOOP_EXPR }), () => ({
      ...base(),
      [EV.amSilences]: silences([silence('payments')]),
    }));
    expect(r.report.blastRadius.silences.matchingThisAlert).toBe(1);
    expect(r.report.classification).toBe('noisy');
  });

  it('a silenced sibling of the same workload is noisy unless a real cause is corroborated', () => {
    const sibling = {
      ...silence('payments'),
      matchers: [
        ...silence('payments').matchers,
        { name: 'pod', value: 'api-7d9f8b6c5-zz9pq', isRegex: false, isEqual: true },
      ],
    };
    const weak = run(makeAlert(CRASHLOOP_LABELS, { expr: CRASHLOOP_EXPR }), () => ({
      ...base(),
      [EV.amSilences]: silences([sibling]),
    }));
    expect(weak.report.classification).toBe('noisy');
    expect(weak.report.hypotheses[0]!.id).toBe('noise.silenced_siblings');
    const strong = crashloopRun({ extra: { [EV.amSilences]: silences([sibling]) } });
    expect(strong.report.scores.breakdown.map((b) => b.factor)).toContain('silenced siblings');
    expect(strong.report.classification).toBe('actionable');
  });

  it('a silence of the same alert in another namespace is not a reason to call this one noise', () => {
    const r = run(makeAlert(CRASHLOOP_LABELS, { expr: CRASHLOOP_EXPR }), () => ({
      ...base(),
      [EV.amSilences]: silences([silence('staging')]),
    }));
    expect(r.report.scores.breakdown.find((b) => b.factor === 'silenced elsewhere')?.points).toBe(10);
    expect(r.report.classification).toBe('actionable');
  });

  it('a missing subject (no series, pod not found) makes it an artifact even without a rule expression', () => {
    const r = run(makeAlert(CRASHLOOP_LABELS), () => ({}));
    expect(r.report.classification).toBe('artifact');
    expect(r.report.classificationReason).toMatch(
      /returned no series and Pod payments\/api-7d9f8b6c5-x2k4q was not found/,
    );
  });
});
