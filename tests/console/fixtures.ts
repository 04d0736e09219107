// Alerts and a report for the console tests: realistic shapes, plus hostile label values.

import { labelsFingerprint } from '../../src/ingest/alertmanager-payload.js';

// Tarka files an alert under Alertmanager's fingerprint of its labels, whatever the sender claims.
// Tests name their alerts (`fingerprint: 'c0ffee01'`); `caseId(name)` is the case that alert became.
const caseIds = new Map<string, string>();
export function caseId(name: string): string {
  const id = caseIds.get(name);
  if (!id) throw new Error(`no alert named ${name} was built by alertPayload`);
  return id;
}

export function alertPayload(
  alerts: {
    fingerprint: string;
    labels: Record<string, string>;
    annotations?: Record<string, string>;
    status?: 'firing' | 'resolved';
    startsAt?: string;
  }[],
) {
  return {
    version: '4',
    status: 'firing',
    receiver: 'tarka',
    groupKey: '{}:{alertname="test"}',
    truncatedAlerts: 0,
    groupLabels: {},
    commonLabels: {},
    commonAnnotations: {},
    externalURL: 'http://alertmanager.test:9093',
    alerts: alerts.map((a) => {
      caseIds.set(a.fingerprint, labelsFingerprint(a.labels));
      return {
        status: a.status ?? 'firing',
        labels: a.labels,
        annotations: a.annotations ?? {},
        startsAt: a.startsAt ?? new Date(Date.now() - 120_000).toISOString(),
        endsAt: a.status === 'resolved' ? new Date().toISOString() : '0001-01-01T00:00:00Z',
        generatorURL: 'http://prometheus.test/graph',
        fingerprint: labelsFingerprint(a.labels),
      };
    }),
  };
}

const promql =
  'sum by (pod) (increase(kube_pod_container_status_restarts_total{namespace="payments",pod=~"api-.*"}[15m]))';

/** A report in the shape of src/contract/report.ts (schema version 1). */
export function sampleReport(over: { summary?: string; classification?: string } = {}) {
  return {
    schemaVersion: 1,
    generatedAt: new Date().toISOString(),
    alert: {
      fingerprint: 'x',
      alertname: 'KubePodCrashLooping',
      severity: 'critical',
      startsAt: new Date().toISOString(),
      labels: {},
    },
    window: { start: new Date(Date.now() - 3_600_000).toISOString(), end: new Date().toISOString() },
    summary: over.summary ?? 'api in payments crash-loops after the 14:02 rollout: OOMKilled at 512Mi',
    verdict:
      'The api container restarted 14 times in 15 minutes. Every restart ended with OOMKilled, starting right after revision 42 rolled out.',
    family: 'oom_killed',
    familyDetail: {
      preliminary: 'crashloop',
      subReason: null,
      reasons: ['last termination reason OOMKilled'],
    },
    target: {
      kind: 'pod',
      name: 'payments/api-6c9f7d-x2k4q',
      display: 'payments/api-6c9f7d-x2k4q (Deployment payments/api)',
      namespace: 'payments',
      pod: 'api-6c9f7d-x2k4q',
      container: 'api',
      workload: { kind: 'Deployment', name: 'api', source: 'owner-chain' },
      service: null,
      node: null,
      cluster: 'prod-eu-1',
      team: { value: 'payments', source: 'label team' },
      environment: null,
    },
    classification: over.classification ?? 'actionable',
    classificationReason: 'user-facing pods are restarting and the error rate rose',
    scores: {
      impact: 72,
      confidence: 85,
      noise: 10,
      breakdown: [
        { score: 'impact', factor: 'restarts', points: 40, why: '14 restarts in 15 minutes' },
        { score: 'impact', factor: 'severity', points: 20, why: 'severity=critical' },
        {
          score: 'confidence',
          factor: 'termination reason',
          points: 50,
          why: 'OOMKilled recorded by the kubelet',
        },
        { score: 'noise', factor: 'first firing', points: -10, why: 'no earlier episodes' },
      ],
    },
    hypotheses: [
      {
        id: 'h-oom',
        title: 'Memory limit too low for revision 42',
        score: 82,
        rationale: 'Restarts began 3 minutes after the rollout, each ended with OOMKilled.',
        evidence: ['prom-restarts', 'k8s-pod'],
        queries: [promql, 'kubectl -n payments describe pod api-6c9f7d-x2k4q'],
      },
    ],
    blastRadius: {
      known: true,
      reason: null,
      firing: 3,
      suppressed: 0,
      namespaces: { count: 1, names: ['payments'] },
      clusters: { count: 1, names: ['prod-eu-1'] },
      instances: ['api-6c9f7d-x2k4q', 'api-6c9f7d-b7wq2', 'api-6c9f7d-p0zzt'],
      thisAlertActive: true,
      silences: { known: true, active: 2, matchingThisAlert: 0, examples: [] },
    },
    changes: {
      known: true,
      reason: null,
      items: [
        {
          workload: 'Deployment payments/api',
          revision: '42',
          at: new Date(Date.now() - 600_000).toISOString(),
          imagesBefore: ['registry/api:1.41'],
          imagesAfter: ['registry/api:1.42'],
          imageChanged: true,
          precedesAlert: true,
          minutesBeforeAlert: 3,
          evidenceId: 'k8s-rs',
        },
      ],
    },
    nextSteps: [
      {
        kind: 'promql',
        title: 'Watch restarts per pod',
        command: promql,
        why: 'confirms whether restarts continue',
      },
      {
        kind: 'kubectl',
        title: 'Roll back to revision 41',
        command: 'kubectl -n payments rollout undo deployment/api --to-revision=41',
        why: 'the previous revision ran without restarts',
      },
    ],
    logFindings: {
      known: true,
      reason: null,
      linesRead: 1200,
      errorLines: 40,
      patterns: [
        {
          pattern: 'fatal: <script>alert(1)</script>',
          count: 12,
          example: 'fatal: <script>alert(1)</script> out of memory',
          evidenceIds: [],
        },
      ],
      stackTraces: [],
      signatures: [],
    },
    unknowns: ['Logs of the previous container were not available (Loki answered 503).'],
    evidence: [
      {
        id: 'prom-restarts',
        title: 'Container restarts',
        source: 'prometheus',
        kind: 'series',
        status: 'ok',
        query: promql,
        durationMs: 35,
        finding: '14 restarts in 15 minutes',
        truncated: false,
      },
      {
        id: 'k8s-pod',
        title: 'Pod status',
        source: 'kubernetes',
        kind: 'pod',
        status: 'ok',
        query: 'kubectl -n payments get pod api-6c9f7d-x2k4q -o yaml',
        durationMs: 20,
        finding: 'last terminated: OOMKilled',
        truncated: false,
      },
    ],
    evidenceOmitted: 0,
  };
}
