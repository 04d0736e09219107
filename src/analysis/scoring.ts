// Impact, confidence and noise (0–100), each with the factors that moved it, and the resulting
// classification. Factors are additive and explained so an on-call engineer can disagree with one.

import { severity } from './alert.js';
import { alertActivity, rangeStats, restartsInWindow, workload } from './facts.js';
import { familyModule } from './families/registry.js';
import type { NoiseSignal } from './noise.js';
import type { Ctx } from './hypotheses.js';
import { EV } from './ids.js';
import type { Classification, Hypothesis, ScoreFactor } from '../contract/report.js';
import { clamp, oneLine, pct, plural } from './text.js';
import { answered, byId } from './view.js';

type Factor = Omit<ScoreFactor, 'score'>;

const SEVERITY_POINTS: Record<string, number> = {
  critical: 35,
  page: 35,
  high: 30,
  error: 30,
  major: 30,
  warning: 20,
  medium: 20,
  minor: 10,
  low: 10,
  info: 5,
  none: 0,
};

/** Why the evidence contradicts the alert, or null. Only answered evidence can contradict. */
export function contradiction(ctx: Ctx): string | null {
  const expr = byId(ctx.evidence, EV.alertExpr);
  if (expr?.status === 'empty') {
    return "the alert's own rule expression returned no data anywhere in the window";
  }
  if (expr?.status === 'ok') return null;
  const p = familyModule(ctx.family.family).primary;
  if (!p) return null;
  const series = byId(ctx.evidence, p.series);
  const object = p.object ? byId(ctx.evidence, p.object) : undefined;
  if (series?.status === 'empty' && (!object || object.status === 'empty')) {
    return oneLine(
      `${series.title} returned no series${object ? ` and ${object.title} was not found` : ''}: the alert's subject does not exist`,
      300,
    );
  }
  return null;
}

export interface Scores {
  impact: number;
  confidence: number;
  noise: number;
  breakdown: ScoreFactor[];
}

function impactFactors(ctx: Ctx, signals: readonly NoiseSignal[]): Factor[] {
  const f: Factor[] = [];
  const family = ctx.family.family;
  if (family === 'meta') {
    return [
      {
        factor: 'meta alert',
        points: 0,
        why: 'fires by design to prove the alerting pipeline works; no service is affected',
      },
    ];
  }
  const sev = severity(ctx.alert);
  const sevPoints = sev ? (SEVERITY_POINTS[sev.toLowerCase()] ?? 15) : 15;
  f.push({
    factor: 'severity',
    points: sevPoints,
    why: sev ? `alert severity is ${oneLine(sev, 40)}` : 'alert has no severity label',
  });
  const [fp, fwhy] = familyModule(family).impact;
  if (fp) f.push({ factor: 'family', points: fp, why: fwhy });

  const w = workload(ctx.evidence);
  const desired = w?.value.desiredReplicas;
  if (w && desired != null && desired > 0) {
    const available = w.value.availableReplicas ?? 0;
    if (available === 0)
      f.push({
        factor: 'no replicas available',
        points: 25,
        why: `0 of ${desired} replicas of ${oneLine(w.value.name, 60)} available`,
      });
    else if (available < desired)
      f.push({
        factor: 'replicas missing',
        points: 10,
        why: `${available} of ${desired} replicas of ${oneLine(w.value.name, 60)} available`,
      });
    else
      f.push({
        factor: 'replicas healthy',
        points: -5,
        why: `all ${desired} replicas available, so redundancy absorbs part of it`,
      });
  }
  const ratio = rangeStats(ctx.evidence, EV.errorRatio);
  const tiny = signals.find((n) => n.factor === 'tiny denominator');
  if (ratio && tiny) {
    f.push({ factor: 'error ratio', points: 0, why: `not counted: ${tiny.why}` });
  } else if (ratio) {
    const r = ratio.value.latest;
    const pts = r >= 0.5 ? 20 : r >= 0.1 ? 10 : 5;
    f.push({
      factor: 'error ratio',
      points: pts,
      why: `${pct(r)} of requests fail now (peak ${pct(ratio.value.peak)})`,
    });
  }
  const restarts = restartsInWindow(ctx.evidence);
  if (restarts && restarts.value >= 10)
    f.push({
      factor: 'restart rate',
      points: 5,
      why: `${Math.round(restarts.value)} restarts in the window`,
    });

  const b = ctx.blast;
  if (b.known && b.firing !== null) {
    if (b.firing >= 10)
      f.push({ factor: 'blast radius', points: 15, why: `${b.firing} instances of this alert firing` });
    else if (b.firing >= 3)
      f.push({ factor: 'blast radius', points: 8, why: `${b.firing} instances of this alert firing` });
    if (b.namespaces.count > 1)
      f.push({ factor: 'spread', points: 5, why: `firing in ${b.namespaces.count} namespaces` });
  }
  const pods = byId(ctx.evidence, EV.podsOnNode);
  if (ctx.target.kind === 'node' && pods?.status === 'ok') {
    f.push({ factor: 'pods on node', points: 5, why: 'workloads are scheduled on the affected node' });
  }
  return f;
}

// Each trigger alone reaches the noisy threshold (50); measured impact or a corroborated cause
// pulls it back, so a real outage is not dismissed because someone silenced it elsewhere.
function noiseFactors(
  ctx: Ctx,
  top: Hypothesis | undefined,
  contra: string | null,
  impact: number,
  signals: readonly NoiseSignal[],
): Factor[] {
  const f: Factor[] = [];
  if (ctx.family.family === 'meta') {
    return [
      { factor: 'meta alert', points: 0, why: 'expected to fire continuously; not noise, not an incident' },
    ];
  }
  // The alert's own history and surroundings (noise.ts): flapping, tiny denominators, idle
  // throttling, silenced siblings, each with its numbers.
  for (const n of signals) f.push({ factor: n.factor, points: n.points, why: n.why });
  const act = alertActivity(ctx.evidence, ctx.window, ctx.alert.labels);
  if (act) {
    if (!act.value.activeAtEnd && act.value.firingMinutes < 10)
      f.push({
        factor: 'short-lived',
        points: 25,
        why: `true for only ${Math.round(act.value.firingMinutes)} min and no longer`,
      });
  }
  if (ctx.blast.thisAlertActive === false)
    f.push({ factor: 'auto-resolved', points: 35, why: 'this alert is no longer active in Alertmanager' });
  const s = ctx.blast.silences;
  if (s.known && (s.matchingThisAlert ?? 0) > 0)
    f.push({
      factor: 'silenced',
      points: 50,
      why: `${plural(s.matchingThisAlert!, 'active silence')} match this alert`,
    });
  else if (s.known && (s.active ?? 0) > 0 && !signals.some((n) => n.factor === 'silenced siblings'))
    // Silences of the same alert on unrelated scopes say little about this one.
    f.push({
      factor: 'silenced elsewhere',
      points: 10,
      why: `${plural(s.active!, 'active silence')} exist for this alertname on other scopes`,
    });
  const sev = severity(ctx.alert)?.toLowerCase();
  if (sev === 'info' || sev === 'none')
    f.push({ factor: 'low severity', points: 10, why: `severity ${sev}` });
  const ageDays = (Date.parse(ctx.now) - Date.parse(ctx.alert.startsAt)) / 86_400_000;
  if (ageDays > 7)
    f.push({
      factor: 'long-running',
      points: 15,
      why: `firing for ${Math.floor(ageDays)} days without resolution: likely ignored`,
    });
  if (contra) f.push({ factor: 'contradicted', points: 40, why: contra });
  // A tiny denominator or an idle container means the measured impact is not real.
  const illusory = signals.some((n) => n.factor === 'tiny denominator' || n.factor === 'idle throttling');
  if (impact >= 60 && !illusory)
    f.push({ factor: 'real impact', points: -20, why: `impact measured at ${impact}/100` });
  if (top && !top.id.startsWith('noise.') && top.score >= 75)
    f.push({
      factor: 'corroborated',
      points: -15,
      why: `evidence supports a concrete cause (${top.score}/100)`,
    });
  return f;
}

function confidenceFactors(ctx: Ctx, top: Hypothesis | undefined): Factor[] {
  const f: Factor[] = [{ factor: 'baseline', points: 20, why: 'starting point' }];
  const total = ctx.evidence.length;
  const ok = ctx.evidence.filter((e) => answered(e)).length;
  if (total)
    f.push({
      factor: 'coverage',
      points: Math.round((ok / total) * 30),
      why: `${ok} of ${total} evidence items answered`,
    });
  else f.push({ factor: 'coverage', points: 0, why: 'no evidence was collected' });
  if (top) {
    f.push({
      factor: 'top hypothesis',
      points: Math.round(top.score * 0.35),
      why: `best-supported cause scores ${top.score}/100`,
    });
    const sources = new Set(top.evidence.map((id) => byId(ctx.evidence, id)?.source).filter(Boolean));
    if (sources.size >= 2)
      f.push({
        factor: 'corroboration',
        points: 10,
        why: `top cause is backed by ${sources.size} independent sources`,
      });
  } else {
    f.push({ factor: 'no hypothesis', points: -10, why: 'no cause is supported by the evidence' });
  }
  if (ctx.family.reasons.some((r) => r.includes(' → ') || r.startsWith('confirmed'))) {
    f.push({ factor: 'family checked', points: 5, why: 'the family was confirmed or corrected by evidence' });
  }
  const podLike = !!familyModule(ctx.family.family).podState && ctx.target.kind === 'pod';
  const pod = byId(ctx.evidence, EV.pod);
  if (podLike && pod && !answered(pod))
    f.push({ factor: 'pod state missing', points: -15, why: 'the Kubernetes pod could not be read' });
  const prom = ctx.evidence.filter((e) => e.source === 'prometheus');
  if (prom.length && prom.every((e) => !answered(e)))
    f.push({ factor: 'metrics missing', points: -15, why: 'no Prometheus query answered' });
  const logs = ctx.evidence.filter((e) => e.kind === 'logs' || e.kind === 'previous_logs');
  if (podLike && logs.length && logs.every((e) => !answered(e)))
    f.push({ factor: 'logs missing', points: -5, why: 'no logs could be read' });
  return f;
}

export function computeScores(
  ctx: Ctx,
  hypotheses: readonly Hypothesis[],
  contra: string | null,
  signals: readonly NoiseSignal[] = [],
): Scores {
  const top = hypotheses[0];
  const impact = impactFactors(ctx, signals);
  const confidence = confidenceFactors(ctx, top);
  const sum = (fs: Factor[]) => clamp(fs.reduce((a, x) => a + x.points, 0));
  const noise = noiseFactors(ctx, top, contra, sum(impact), signals);
  const tag = (score: ScoreFactor['score'], fs: Factor[]): ScoreFactor[] =>
    fs.map((x) => ({
      score,
      factor: oneLine(x.factor, 80),
      points: Math.max(-100, Math.min(100, Math.round(x.points))),
      why: oneLine(x.why, 240),
    }));
  return {
    impact: sum(impact),
    confidence: sum(confidence),
    noise: sum(noise),
    breakdown: [...tag('impact', impact), ...tag('confidence', confidence), ...tag('noise', noise)].slice(
      0,
      40,
    ),
  };
}

export function classify(
  ctx: Ctx,
  scores: Scores,
  contra: string | null,
): { classification: Classification; reason: string } {
  if (ctx.family.family === 'meta') {
    return {
      classification: 'informational',
      reason:
        'Meta alert (heartbeat/inhibitor): it fires by design and needs action only if it stops arriving.',
    };
  }
  if (contra)
    return { classification: 'artifact', reason: oneLine(`Evidence contradicts the alert: ${contra}.`, 400) };
  if (scores.noise >= 50) {
    const why = scores.breakdown
      .filter((b) => b.score === 'noise' && b.points > 0)
      .sort((a, b) => b.points - a.points)
      .slice(0, 3)
      .map((b) => b.why);
    return { classification: 'noisy', reason: oneLine(`Noise ${scores.noise}/100: ${why.join('; ')}.`, 400) };
  }
  const sev = severity(ctx.alert)?.toLowerCase();
  if ((sev === 'info' || sev === 'none') && scores.impact < 50) {
    return {
      classification: 'informational',
      reason: oneLine(
        `Severity ${sev} and impact ${scores.impact}/100: worth knowing, not worth waking up for.`,
        400,
      ),
    };
  }
  const why = scores.breakdown
    .filter((b) => b.score === 'impact' && b.points > 0)
    .sort((a, b) => b.points - a.points)
    .slice(0, 3)
    .map((b) => b.why);
  return {
    classification: 'actionable',
    reason: oneLine(`Impact ${scores.impact}/100: ${why.join('; ') || 'no impact factors known'}.`, 400),
  };
}
