// Candidate causes, each scored 0–100 and citing the evidence (and its exact queries) behind it.
// A hypothesis is only built from evidence that answered; unavailable evidence never supports a
// claim. Family rules live in the family modules (families/); this module holds the shared machinery and the
// cross-family causes (recent rollouts, log signatures, wide blast radius).

import type { EvidenceItem } from '../collectors/evidence.js';
import type { AlertInput, Window } from './alert.js';
import type { FinalFamily } from './family.js';
import { familyModule } from './families/registry.js';
import { EV } from './ids.js';
import type { LogAnalysis } from './logs.js';
import type { BlastRadius, Changes, Hypothesis } from '../contract/report.js';
import type { Target } from './target.js';
import { cap, clamp, oneLine, plural, shortTime, uniq } from './text.js';
import { answered, byId } from './view.js';

export interface Ctx {
  alert: AlertInput;
  window: Window;
  now: string;
  evidence: readonly EvidenceItem[];
  family: FinalFamily;
  target: Target;
  logs: { analysis: LogAnalysis; namespaceWide: boolean };
  changes: Changes;
  blast: BlastRadius;
}

type Cite = EvidenceItem | string | null | undefined;

/**
 * A hypothesis citing only evidence that answered; null when nothing it cites answered, so an
 * unavailable source can never be the basis of a claim.
 */
export function hypothesis(
  ctx: Ctx,
  id: string,
  title: string,
  score: number,
  rationale: string,
  cites: Cite[],
): Hypothesis | null {
  const items = uniq(
    cites
      .map((c) => (typeof c === 'string' ? byId(ctx.evidence, c) : (c ?? undefined)))
      .filter((i): i is EvidenceItem => answered(i)),
  );
  if (!items.length) return null;
  return {
    id: cap(id, 80),
    title: oneLine(title, 200),
    score: clamp(score),
    rationale: oneLine(rationale, 600),
    evidence: uniq(items.map((i) => cap(i.id, 100))).slice(0, 8),
    queries: uniq(items.map((i) => i.query).filter((q) => q && q.trim()))
      .slice(0, 4)
      .map((q) => cap(q, 600)),
  };
}

/** Merges hypotheses with the same id (one cause found two ways) and ranks by score. */
export function rank(hyps: (Hypothesis | null)[], max = 6): Hypothesis[] {
  const byIdMap = new Map<string, Hypothesis>();
  for (const h of hyps) {
    if (!h) continue;
    const prev = byIdMap.get(h.id);
    if (!prev) {
      byIdMap.set(h.id, h);
      continue;
    }
    const [hi, lo] = prev.score >= h.score ? [prev, h] : [h, prev];
    byIdMap.set(h.id, {
      ...hi,
      // Two independent routes to the same cause make it more likely.
      score: clamp(hi.score + 5),
      evidence: uniq([...hi.evidence, ...lo.evidence]).slice(0, 8),
      queries: uniq([...hi.queries, ...lo.queries]).slice(0, 4),
    });
  }
  return [...byIdMap.values()].sort((a, b) => b.score - a.score || a.id.localeCompare(b.id)).slice(0, max);
}

/** The family's primary symptom series, cited as corroboration by cross-family causes. */
export function symptomIds(ctx: Ctx): string[] {
  return (familyModule(ctx.family.family).symptoms ?? []).filter(
    (id) => byId(ctx.evidence, id)?.status === 'ok',
  );
}

/** A rollout shortly before the alert is the most common cause of a new failure. */
export function rolloutHypotheses(ctx: Ctx): (Hypothesis | null)[] {
  const before = ctx.changes.items
    .filter((c) => c.precedesAlert)
    .sort((a, b) => a.minutesBeforeAlert - b.minutesBeforeAlert);
  const c = before[0];
  if (!c) return [];
  const m = c.minutesBeforeAlert;
  const score = (m <= 15 ? 85 : m <= 30 ? 75 : m <= 60 ? 65 : 50) + (c.imageChanged ? 5 : 0);
  const what = c.imageChanged
    ? `${c.imagesBefore.join(', ') || '(new)'} → ${c.imagesAfter.join(', ')}`
    : 'same images, so a spec/config change';
  // What the workload logs since is how the change fails; cite it alongside the rollout.
  const sig = ctx.logs.analysis.signatures[0];
  const since = sig
    ? ` Its pods now log: ${sig.title.toLowerCase()}${sig.detail ? ` (${sig.detail})` : ''}.`
    : '';
  return [
    hypothesis(
      ctx,
      'change.rollout',
      `Rollout of ${c.workload} (revision ${c.revision}) ${plural(m, 'minute')} before the alert: ${what}`,
      score,
      `${c.workload} created revision ${c.revision} at ${shortTime(c.at)}, ${plural(m, 'minute')} before the alert started at ${shortTime(ctx.alert.startsAt)}${before.length > 1 ? ` (${before.length} rollouts in the window)` : ''}.${since} A change just before a failure is the first suspect: compare the revisions and consider rolling back.`,
      [c.evidenceId, ...symptomIds(ctx), ...(sig?.evidenceIds ?? [])],
    ),
  ];
}

/** Known failure signatures found in logs and events. */
export function signatureHypotheses(ctx: Ctx): (Hypothesis | null)[] {
  const family = ctx.family.family;
  return ctx.logs.analysis.signatures.slice(0, 4).map((s) => {
    let score = s.weight;
    const notes: string[] = [];
    if (s.evidenceIds.includes(EV.previousLogs) && family === 'crashloop') {
      score += 5;
      notes.push("in the crashed container's last lines");
    }
    const onlyAppLogs = s.evidenceIds.every((id) => id === EV.logs);
    if (ctx.logs.namespaceWide && onlyAppLogs) {
      score -= 20;
      notes.push('from namespace-wide logs that may belong to other workloads');
    }
    if (s.count >= 5) score += 3;
    const where = s.evidenceIds.join(', ');
    return hypothesis(
      ctx,
      `sig.${s.id}`,
      `${s.title}${s.detail ? `: ${s.detail}` : ''}`,
      score,
      `${plural(s.count, 'matching line')} in ${where}${notes.length ? ` (${notes.join('; ')})` : ''}, e.g. "${cap(s.example, 200)}". ${s.explanation}`,
      [...s.evidenceIds, ...symptomIds(ctx)],
    );
  });
}

/** Many instances across namespaces or clusters point at something shared. */
export function blastHypothesis(ctx: Ctx): Hypothesis | null {
  const b = ctx.blast;
  if (!b.known || b.firing === null || b.firing < 3) return null;
  if (b.namespaces.count < 2 && b.clusters.count < 2) return null;
  return hypothesis(
    ctx,
    'blast.shared_cause',
    `Shared cause: ${plural(b.firing, 'instance')} of this alert firing across ${plural(b.namespaces.count, 'namespace')}${b.clusters.count > 1 ? ` and ${plural(b.clusters.count, 'cluster')}` : ''}`,
    50 + (b.firing >= 10 ? 10 : 0) + (b.clusters.count > 1 ? 5 : 0),
    'The same alert fires for unrelated workloads at once, which points at a shared dependency, a platform component (nodes, DNS, registry, network) or a rule that is too sensitive, more than at this one target.',
    [EV.amAlerts],
  );
}
