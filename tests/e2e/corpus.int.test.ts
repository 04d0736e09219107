import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyze } from '../../src/analysis/analyze.js';
import { preliminaryFamily } from '../../src/analysis/family.js';
import { planEvidence } from '../../src/analysis/plan.js';
import { createCollectors } from '../../src/collectors/run.js';
import type { Report } from '../../src/contract/report.js';
import { investigate, type Toolkit } from '../../src/investigation/investigate.js';
import { startAlertmanager, type AlertmanagerFixture } from '../../src/testkit/alertmanager.js';
import { startFakeKubernetes, type FakeKubernetes } from '../../src/testkit/fake-kubernetes.js';
import { startFakeVictoriaLogs, type FakeLogs } from '../../src/testkit/fake-logs.js';
import { startPrometheus, type PrometheusFixture } from '../../src/testkit/prometheus.js';
import { generatorURL, HISTORY_SECONDS, INTERVAL, NOW, type Scenario } from './scenarios/kit.js';
import { SCENARIOS } from './scenarios/index.js';

// The scenario corpus: every scenario investigated with the real collectors against one real
// Prometheus (history written by promtool), one real Alertmanager (alerts, siblings, silences),
// its own wire-protocol fake Kubernetes API, and a fake VictoriaLogs. Checked per scenario:
// family, classification, top hypothesis, forbidden claims and noise; a table of figures is
// printed at the end.

interface Outcome {
  s: Scenario;
  report: Report;
  family: boolean;
  classification: boolean;
  top: boolean;
  forbidden: string[];
  noise: boolean;
  mentions: string[];
}

describe('scenario corpus: realistic incidents end to end through the collectors', () => {
  let prom: PrometheusFixture;
  let am: AlertmanagerFixture;
  let logs: FakeLogs;
  const kubes: FakeKubernetes[] = [];
  const outcomes: Outcome[] = [];

  beforeAll(async () => {
    [prom, am, logs] = await Promise.all([
      startPrometheus({
        series: SCENARIOS.flatMap((s) => s.series),
        historySeconds: HISTORY_SECONDS,
        intervalSeconds: INTERVAL,
        now: new Date(NOW),
      }),
      startAlertmanager(),
      startFakeVictoriaLogs(SCENARIOS.flatMap((s) => s.logs ?? [])),
    ]);
    await am.postAlerts(
      SCENARIOS.flatMap((s) => [
        { labels: s.alert.labels, startsAt: new Date(NOW - s.alert.startedMinAgo * 60_000).toISOString() },
        ...(s.otherAlerts ?? []).map((labels) => ({ labels })),
      ]),
    );
    for (const s of SCENARIOS) for (const silence of s.silences ?? []) await am.postSilence(silence);
  }, 120_000);

  afterAll(async () => {
    await Promise.all(kubes.map((k) => k.close()));
    await Promise.all([prom?.stop(), am?.stop(), logs?.close()]);
    if (!outcomes.length) return;
    const mark = (b: boolean) => (b ? 'ok' : 'WRONG');
    const rows = outcomes.map((o) => ({
      scenario: o.s.name,
      family: `${mark(o.family)} ${o.report.family}${o.report.familyDetail.subReason ? `/${o.report.familyDetail.subReason}` : ''}`,
      classification: `${mark(o.classification)} ${o.report.classification}`,
      top: `${mark(o.top)} ${o.report.hypotheses[0]?.id ?? '(none)'}`,
      forbidden: o.forbidden.length ? `WRONG ${o.forbidden.join(', ')}` : 'none',
      noise: `${mark(o.noise)} ${o.report.scores.noise}`,
    }));
    console.table(rows);
    const n = outcomes.length;
    const count = (f: (o: Outcome) => boolean) => `${outcomes.filter(f).length}/${n}`;
    console.log(
      `corpus totals: family ${count((o) => o.family)}, classification ${count((o) => o.classification)}, top hypothesis ${count((o) => o.top)}, no forbidden claim ${count((o) => !o.forbidden.length)}, noise ${count((o) => o.noise)}, noisy/artifact called ${count((o) => (o.s.expect.classification === 'noisy' || o.s.expect.classification === 'artifact' ? o.classification : true))}`,
    );
  });

  async function toolkitFor(s: Scenario): Promise<Toolkit> {
    const kube = await startFakeKubernetes();
    kubes.push(kube);
    kube.add(...(s.kube ?? []));
    for (const p of s.podLogs ?? []) kube.setLogs(p.namespace, p.pod, p.container, p.logs);
    for (const r of s.forbid ?? []) kube.forbid(r);
    const collectors = createCollectors({
      prometheusUrl: prom.url,
      alertmanagerUrl: am.url,
      logsUrl: s.noLogsBackend ? undefined : logs.url,
      logsBackend: 'victorialogs',
      kube: kube.kubeConfig(),
      timeoutMs: 10_000,
    });
    return {
      plan: (alert, window) => {
        const d = preliminaryFamily(alert);
        return { family: d.family, reasons: d.reasons, requests: planEvidence(alert, d, window) };
      },
      collect: (request, window) => collectors.collect(request, window),
      analyze: (input) => analyze(input),
    };
  }

  async function fingerprintOf(labels: Record<string, string>): Promise<string> {
    const res = await fetch(`${am.url}/api/v2/alerts?active=true&silenced=true&inhibited=true`);
    const all = (await res.json()) as { fingerprint: string; labels: Record<string, string> }[];
    const same = (a: Record<string, string>) =>
      Object.keys(a).length === Object.keys(labels).length &&
      Object.entries(labels).every(([k, v]) => a[k] === v);
    const found = all.find((a) => same(a.labels));
    if (!found) throw new Error(`alert ${JSON.stringify(labels)} not in Alertmanager`);
    return found.fingerprint;
  }

  async function runScenario(s: Scenario): Promise<Outcome> {
    const toolkit = await toolkitFor(s);
    const startsAt = new Date(NOW - s.alert.startedMinAgo * 60_000).toISOString();
    const alert = {
      fingerprint: await fingerprintOf(s.alert.labels),
      labels: s.alert.labels,
      annotations: {},
      startsAt,
      generatorURL: s.alert.expr ? generatorURL(s.alert.expr) : null,
    };
    const window = {
      start: new Date(Date.parse(startsAt) - 60 * 60_000).toISOString(),
      end: new Date(NOW).toISOString(),
    };
    const report = (await investigate(alert, window, toolkit, async () => {}, {
      now: () => new Date(NOW),
    })) as unknown as Report;
    const e = s.expect;
    const text = JSON.stringify(report);
    // CORPUS_DUMP=<dir> keeps every report, to read why a scenario came out as it did.
    if (process.env.CORPUS_DUMP) {
      mkdirSync(process.env.CORPUS_DUMP, { recursive: true });
      writeFileSync(
        join(process.env.CORPUS_DUMP, `${s.name.replace(/[^a-z0-9]+/gi, '-')}.json`),
        JSON.stringify(report, null, 2),
      );
    }
    const ids = report.hypotheses.map((h) => h.id);
    const forbidden = e.forbidden
      .filter((f) => (typeof f === 'string' ? ids.includes(f) || text.includes(f) : f.test(text)))
      .map(String);
    return {
      s,
      report,
      family:
        report.family === e.family &&
        (e.subReason === undefined || report.familyDetail.subReason === e.subReason),
      classification: report.classification === e.classification,
      top: (report.hypotheses[0]?.id ?? null) === e.top,
      forbidden,
      noise:
        (e.noise?.min === undefined || report.scores.noise >= e.noise.min) &&
        (e.noise?.max === undefined || report.scores.noise <= e.noise.max),
      mentions: (e.mentions ?? []).filter((m) => !m.test(text)).map(String),
    };
  }

  it('holds at least 30 scenarios with distinct names', () => {
    expect(SCENARIOS.length).toBeGreaterThanOrEqual(30);
    expect(new Set(SCENARIOS.map((s) => s.name)).size).toBe(SCENARIOS.length);
  });

  it('investigates every scenario to the expected conclusion', async () => {
    // Scenarios run concurrently, a few at a time, against the one Prometheus and Alertmanager.
    const queue = [...SCENARIOS];
    await Promise.all(
      Array.from({ length: 4 }, async () => {
        for (let s = queue.shift(); s; s = queue.shift()) outcomes.push(await runScenario(s));
      }),
    );
    const wrong = outcomes
      .filter(
        (o) =>
          !o.family || !o.classification || !o.top || o.forbidden.length || !o.noise || o.mentions.length,
      )
      .map((o) => ({
        scenario: o.s.name,
        got: {
          family: `${o.report.family}/${o.report.familyDetail.subReason}`,
          classification: o.report.classification,
          reason: o.report.classificationReason,
          hypotheses: o.report.hypotheses.map((h) => `${h.id} ${h.score}: ${h.title}`),
          noise: o.report.scores.noise,
          forbidden: o.forbidden,
          missingMentions: o.mentions,
        },
      }));
    expect(wrong).toEqual([]);
  }, 150_000);
});
