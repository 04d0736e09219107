// Missing sources must become stated unknowns, and nothing may be claimed from them.

import { describe, expect, it } from 'vitest';
import type { EvidenceRequest } from '../collectors/evidence.js';
import { EV } from './ids.js';
import { alerts } from '../testkit/analysis/kube.js';
import {
  makeAlert,
  NOW,
  pointsBetween,
  range,
  run,
  STARTS_AT,
  unavailable,
  type Answer,
} from '../testkit/analysis/scenario.js';

const labels = {
  alertname: 'KubePodCrashLooping',
  cluster: 'prod-eu-1',
  container: 'api',
  job: 'kube-state-metrics',
  namespace: 'payments',
  pod: 'api-7d9f8b6c5-x2k4q',
  reason: 'CrashLoopBackOff',
  severity: 'warning',
};
const expr = 'max_over_time(kube_pod_container_status_waiting_reason{reason="CrashLoopBackOff"}[1m]) >= 1';

const down: Record<EvidenceRequest['source'], Answer> = {
  kubernetes: unavailable('connect ECONNREFUSED 10.96.0.1:443'),
  logs: unavailable('no log backend configured (LOGS_URL unset)'),
  prometheus: { status: 'error', error: 'HTTP 503 from Prometheus: service unavailable' },
  alertmanager: unavailable('connect ETIMEDOUT 10.96.4.4:9093'),
};

describe('unknowns when sources are down', () => {
  it('states each missing source once, with its reason and what it leaves unknown', () => {
    const r = run(
      makeAlert(labels, { expr }),
      () => ({}),
      (req) => down[req.source],
    );
    const u = r.report.unknowns.join('\n');
    expect(u).toMatch(
      /Kubernetes API unreachable \(connect ECONNREFUSED 10\.96\.0\.1:443\), so these are unknown: .*pod state/,
    );
    expect(u).toMatch(/Log backend unavailable \(no log backend configured/);
    expect(u).toMatch(/Prometheus returned an error \(HTTP 503/);
    expect(u).toMatch(/Alertmanager unreachable .*blast radius/);
    expect(r.report.unknowns.filter((x) => x.startsWith('Kubernetes API'))).toHaveLength(1);
  });

  it('asserts nothing: no hypotheses, unknown blast radius, changes and logs', () => {
    const r = run(
      makeAlert(labels, { expr }),
      () => ({}),
      (req) => down[req.source],
    );
    expect(r.report.hypotheses).toEqual([]);
    expect(r.report.verdict).toMatch(/No cause could be established/);
    expect(r.report.blastRadius).toMatchObject({ known: false, firing: null });
    expect(r.report.blastRadius.reason).toMatch(/ETIMEDOUT/);
    expect(r.report.changes.known).toBe(false);
    expect(r.report.changes.reason).toMatch(/unavailable \(connect ECONNREFUSED/);
    expect(r.report.logFindings.known).toBe(false);
    // The family stands on the alert alone and says so; nothing pretends to be an artifact.
    expect(r.report.family).toBe('crashloop');
    expect(r.report.familyDetail.reasons.join(' ')).toMatch(/not confirmed by evidence/);
    expect(r.report.classification).not.toBe('artifact');
    expect(r.report.scores.breakdown.map((b) => b.factor)).toEqual(
      expect.arrayContaining(['pod state missing', 'metrics missing', 'no hypothesis']),
    );
  });

  it('with only Kubernetes down, hypotheses cite only evidence that answered', () => {
    const r = run(
      makeAlert(labels, { expr }),
      () => ({
        [EV.alertExpr]: range([{ labels: {}, points: pointsBetween(STARTS_AT, NOW) }]),
        [EV.amAlerts]: alerts([{ fingerprint: '0d2c53143e6b19e6', labels }]),
        [EV.previousLogs]: unavailable('connect ECONNREFUSED 10.96.0.1:443'),
        [EV.logs]: {
          status: 'ok',
          data: {
            backend: 'loki',
            lines: [{ line: 'panic: dial tcp: lookup postgres.payments.svc on 10.96.0.10:53: no such host' }],
          },
        },
      }),
      (req) => (req.source === 'kubernetes' ? down.kubernetes : { status: 'empty' }),
    );
    const answered = new Set(
      r.evidence.filter((e) => e.status === 'ok' || e.status === 'empty').map((e) => e.id),
    );
    expect(r.report.hypotheses.length).toBeGreaterThan(0);
    for (const h of r.report.hypotheses) for (const id of h.evidence) expect(answered.has(id)).toBe(true);
    expect(r.report.hypotheses[0]).toMatchObject({
      id: 'sig.dns_failure',
      title: expect.stringContaining('postgres.payments.svc'),
    });
    // No pod, workload or rollout claims without the Kubernetes API.
    expect(r.report.hypotheses.some((h) => h.id.startsWith('change.') || h.id.startsWith('exit.'))).toBe(
      false,
    );
    expect(r.report.unknowns.join(' ')).toMatch(/Kubernetes API unreachable/);
  });

  it('says so when the alert has no expression or namespace', () => {
    const r = run(makeAlert({ alertname: 'SomethingOdd', severity: 'warning' }), () => ({}));
    expect(r.report.unknowns.join(' ')).toMatch(/no generatorURL/);
    expect(r.report.unknowns.join(' ')).toMatch(/no namespace label/);
  });
});
