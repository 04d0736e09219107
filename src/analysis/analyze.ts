// The analysis: evidence in, report out. Pure: no I/O, no clock (`now` is passed in), so the same
// input always gives the same report and any report can be reproduced from stored evidence.

import type { EvidenceItem, LogsData } from '../collectors/evidence.js';
import { alertName, severity, type AlertInput, type Window } from './alert.js';
import { blastRadius } from './blast.js';
import { changeCorrelation } from './changes.js';
import { familyModule } from './families/registry.js';
import { preliminaryFamily, refineFamily } from './family.js';
import { summariseEvidence } from './findings.js';
import {
  blastHypothesis,
  preferSpecific,
  rank,
  rolloutHypotheses,
  signatureHypotheses,
  type Ctx,
} from './hypotheses.js';
import { noiseSignals } from './noise.js';
import { EV } from './ids.js';
import { readLogs, type LogSource } from './logs.js';
import { nextSteps } from './next-steps.js';
import type { Hypothesis, LogFindings, Report } from '../contract/report.js';
import { classify, computeScores, contradiction } from './scoring.js';
import { resolveTarget, subjectLabels } from './target.js';
import { cap, oneLine, take } from './text.js';
import { listUnknowns } from './unknowns.js';
import { view } from './view.js';

export interface AnalyzeInput {
  alert: AlertInput;
  window: Window;
  evidence: EvidenceItem[];
  /** ISO instant the analysis runs at; the only notion of time it uses. */
  now: string;
}

/** Report JSON size the analysis aims to stay under. */
export const REPORT_BUDGET_BYTES = 30_000;

export function analyze(input: AnalyzeInput): Report {
  const { alert, window, evidence, now } = input;
  const family = refineFamily(alert, preliminaryFamily(alert), evidence);
  const mod = familyModule(family.family);
  const target = resolveTarget(alert, family.family, evidence, {
    podSubject: !!mod.podSubject,
    nodeSubject: !!mod.nodeSubject?.(family.subReason, subjectLabels(alert.labels)),
  });
  const logs = logContext(alert, evidence, target.workload?.name ?? null);
  const ctx: Ctx = {
    alert,
    window,
    now,
    evidence,
    family,
    target,
    logs,
    changes: changeCorrelation(alert, window, evidence),
    blast: blastRadius(alert, evidence, now),
  };

  const signals = noiseSignals(ctx);
  const candidates = rank(
    family.family === 'meta'
      ? mod.hypotheses(ctx)
      : [
          ...mod.hypotheses(ctx),
          ...signatureHypotheses(ctx),
          ...rolloutHypotheses(ctx),
          blastHypothesis(ctx),
          ...signals.map((n) => n.hypothesis),
        ],
    100,
  );
  // Signatures found only in namespace-wide logs may belong to another workload.
  const nsWide = new Set(
    logs.namespaceWide
      ? logs.analysis.signatures
          .filter((s) => s.evidenceIds.every((id) => id === EV.logs))
          .map((s) => `sig.${s.id}`)
      : [],
  );
  const contra = contradiction(ctx);
  // When the alert's subject does not exist, nothing elsewhere explains it either.
  const hypotheses = rank(
    preferSpecific(contra ? candidates.filter((h) => !h.id.startsWith('blast.')) : candidates, nsWide),
  );
  const scores = computeScores(ctx, hypotheses, contra, signals);
  const { classification, reason } = classify(ctx, scores, contra);
  const unknowns = listUnknowns(alert, family.family, evidence, family.subReason);
  const { list, omitted } = summariseEvidence(evidence);
  const top = hypotheses[0];

  const report: Report = {
    schemaVersion: 1,
    generatedAt: now,
    alert: {
      fingerprint: cap(alert.fingerprint, 100),
      alertname: oneLine(alertName(alert), 200),
      severity: severity(alert) ? oneLine(severity(alert)!, 50) : null,
      startsAt: cap(alert.startsAt, 40),
      labels: Object.fromEntries(
        Object.entries(alert.labels)
          .slice(0, 25)
          .map(([k, v]) => [cap(k, 60), cap(v, 120)]),
      ),
    },
    window: { start: cap(window.start, 40), end: cap(window.end, 40) },
    summary: oneLine(
      `${mod.label} on ${target.display}: ${top ? top.title : 'cause not established'} [${classification}]`,
      300,
    ),
    verdict: verdict(classification, reason, top, scores.confidence, unknowns.length, contra),
    family: family.family,
    familyDetail: {
      preliminary: family.preliminary,
      subReason: family.subReason ? oneLine(family.subReason, 60) : null,
      reasons: take(family.reasons, 8).map((r) => oneLine(r, 300)),
    },
    target: {
      kind: target.kind,
      name: oneLine(target.name, 300),
      display: oneLine(target.display, 400),
      namespace: opt(target.namespace),
      pod: opt(target.pod),
      container: opt(target.container),
      workload: target.workload
        ? {
            kind: target.workload.kind,
            name: oneLine(target.workload.name, 200),
            source: target.workload.source,
          }
        : null,
      service: opt(target.service),
      node: opt(target.node),
      cluster: opt(target.cluster),
      team: target.team
        ? { value: oneLine(target.team.value, 200), source: oneLine(target.team.source, 120) }
        : null,
      environment: target.environment
        ? { value: oneLine(target.environment.value, 200), source: oneLine(target.environment.source, 120) }
        : null,
    },
    classification,
    classificationReason: oneLine(reason, 400),
    scores,
    hypotheses,
    blastRadius: ctx.blast,
    changes: ctx.changes,
    nextSteps: nextSteps(ctx, hypotheses),
    logFindings: logFindings(evidence, logs.analysis),
    unknowns,
    evidence: list,
    evidenceOmitted: omitted,
  };
  return fitBudget(report);
}

const opt = (v: string | null) => (v === null ? null : oneLine(v, 200));

function verdict(
  classification: Report['classification'],
  reason: string,
  top: Hypothesis | undefined,
  confidence: number,
  unknownCount: number,
  contra: string | null,
): string {
  const parts: string[] = [];
  if (classification !== 'actionable')
    parts.push(`${classification[0]!.toUpperCase()}${classification.slice(1)}: ${reason}`);
  if (top && !contra) {
    parts.push(
      `Most likely cause: ${top.title} (${top.score}/100, confidence ${confidence}/100). ${top.rationale}`,
    );
  } else if (!contra) {
    parts.push(
      'No cause could be established from the evidence that was available; start with the next steps.',
    );
  }
  if (unknownCount)
    parts.push(
      `${unknownCount} input${unknownCount === 1 ? ' is' : 's are'} missing or incomplete; see unknowns before acting on this.`,
    );
  return oneLine(parts.join(' '), 1200);
}

/**
 * Logs to read. Without a pod label the logs request covered the whole namespace, so lines are
 * narrowed to the workload's streams where the backend tells us the stream.
 */
function logContext(
  alert: AlertInput,
  evidence: readonly EvidenceItem[],
  workload: string | null,
): Ctx['logs'] {
  const noPod = !subjectLabels(alert.labels).pod;
  const sources: LogSource[] = view.logs(evidence).map(({ item, data }) => ({
    evidenceId: item.id,
    lines: narrow(item, data, noPod, workload),
  }));
  // Namespace logs narrowed to the workload's own streams are the target's logs; otherwise they
  // may belong to any workload of the namespace.
  const narrowed =
    !!workload &&
    view.logs(evidence).some(({ item, data }) => item.id === EV.logs && data.lines.some((l) => l.stream));
  const namespaceWide = noPod && !narrowed;
  // Namespace-wide events count only for the workload's own objects: never another target's.
  const own = (item: EvidenceItem, object: string) => {
    if (item.id !== EV.nsEvents) return true;
    const name = object.split('/').slice(1).join('/');
    return !!workload && (name === workload || name.startsWith(`${workload}-`));
  };
  const extra: LogSource[] = view.events(evidence).map(({ item, data }) => ({
    evidenceId: item.id,
    lines: data.events.filter((e) => own(item, e.object)).map((e) => ({ line: `${e.reason}: ${e.message}` })),
  }));
  const pod = view.pod(evidence, EV.pod);
  if (pod) {
    extra.push({
      evidenceId: pod.item.id,
      lines: pod.data.containers.flatMap((c) =>
        [c.message, c.lastTermination?.message].filter((m): m is string => !!m).map((line) => ({ line })),
      ),
    });
  }
  return { analysis: readLogs(sources, extra), namespaceWide };
}

function narrow(
  item: EvidenceItem,
  data: LogsData,
  namespaceWide: boolean,
  workload: string | null,
): LogsData['lines'] {
  if (!namespaceWide || !workload || item.id !== EV.logs) return data.lines;
  if (!data.lines.some((l) => l.stream)) return data.lines;
  return data.lines.filter((l) => l.stream?.includes(workload));
}

function logFindings(evidence: readonly EvidenceItem[], a: ReturnType<typeof readLogs>): LogFindings {
  const items = evidence.filter((e) => e.kind === 'logs' || e.kind === 'previous_logs');
  const answeredItems = items.filter((e) => e.status === 'ok' || e.status === 'empty');
  const known = answeredItems.length > 0;
  const reason = !items.length
    ? 'no logs were collected for this alert'
    : !known
      ? `logs unavailable: ${items.map((e) => `${e.id} ${e.status}${e.error ? ` (${oneLine(e.error, 80)})` : ''}`).join('; ')}`
      : null;
  return {
    known,
    reason: reason ? oneLine(reason, 300) : null,
    linesRead: a.linesRead,
    errorLines: a.errorLines,
    patterns: take(a.patterns, 10).map((p) => ({ ...p, evidenceIds: take(p.evidenceIds, 8) })),
    stackTraces: take(a.stackTraces, 3).map((t) => ({
      ...t,
      header: oneLine(t.header, 300),
      frames: take(t.frames, 5),
    })),
    signatures: take(a.signatures, 8).map((s) => ({
      id: s.id,
      title: oneLine(s.title, 120),
      count: s.count,
      detail: s.detail,
      example: oneLine(s.example, 300),
      explanation: oneLine(s.explanation, 400),
      remediation: oneLine(s.remediation, 400),
      evidenceIds: take(s.evidenceIds, 8),
    })),
  };
}

/**
 * Progressive trimming until the JSON fits the budget; the least decision-relevant detail goes
 * first. The last steps bound every list and string tightly, so the loop always ends small.
 */
function fitBudget(report: Report): Report {
  const size = (r: Report) => JSON.stringify(r).length;
  if (size(report) <= REPORT_BUDGET_BYTES) return report;
  const r: Report = structuredClone(report);
  const steps: ((r: Report) => void)[] = [
    (r) => (r.evidence = r.evidence.map((e) => ({ ...e, query: cap(e.query, 120) }))),
    (r) => (r.changes.items = r.changes.items.slice(0, 3)),
    (r) => (r.logFindings.patterns = r.logFindings.patterns.slice(0, 5)),
    (r) => (r.logFindings.stackTraces = r.logFindings.stackTraces.slice(0, 1)),
    (r) =>
      (r.logFindings.signatures = r.logFindings.signatures.slice(0, 5).map((s) => ({
        ...s,
        explanation: cap(s.explanation, 150),
        remediation: cap(s.remediation, 200),
        example: cap(s.example, 150),
      }))),
    (r) =>
      (r.hypotheses = r.hypotheses.map((h) => ({
        ...h,
        queries: h.queries.slice(0, 2).map((q) => cap(q, 300)),
      }))),
    (r) => (r.nextSteps = r.nextSteps.map((n) => ({ ...n, command: cap(n.command, 400) }))),
    (r) => {
      r.blastRadius.instances = r.blastRadius.instances.slice(0, 3);
      r.blastRadius.namespaces.names = r.blastRadius.namespaces.names.slice(0, 5);
      r.blastRadius.silences.examples = r.blastRadius.silences.examples.slice(0, 1);
    },
    (r) =>
      (r.alert.labels = Object.fromEntries(
        Object.entries(r.alert.labels)
          .slice(0, 15)
          .map(([k, v]) => [k, cap(v, 60)]),
      )),
    (r) =>
      (r.evidence = r.evidence
        .slice(0, 20)
        .map((e) => ({ ...e, title: cap(e.title, 100), finding: cap(e.finding, 120) }))),
    (r) => {
      r.hypotheses = r.hypotheses.slice(0, 3).map((h) => ({ ...h, rationale: cap(h.rationale, 300) }));
      r.nextSteps = r.nextSteps.slice(0, 6);
      r.unknowns = r.unknowns.slice(0, 8);
      r.logFindings.patterns = r.logFindings.patterns.slice(0, 3);
      r.logFindings.signatures = r.logFindings.signatures.slice(0, 3);
    },
  ];
  for (const s of steps) {
    s(r);
    if (size(r) <= REPORT_BUDGET_BYTES) break;
  }
  r.evidenceOmitted = report.evidence.length + report.evidenceOmitted - r.evidence.length;
  return r;
}
