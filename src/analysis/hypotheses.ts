// Candidate causes, each scored 0–100 and citing the evidence (and its exact queries) behind it.
// A hypothesis is only built from evidence that answered; unavailable evidence never supports a
// claim. Family rules live in the family modules (families/); this module holds the ranking and
// the cross-family causes (recent rollouts, log signatures, wide blast radius).

import type { Ctx } from './model.js';
import { hypothesis } from './claim.js';
import { familyModule } from './families/registry.js';
import { EV } from './ids.js';
import type { Hypothesis } from '../contract/report.js';
import { cap, clamp, plural, shortTime, uniq } from './text.js';
import { byId } from './view.js';

export type { Ctx } from './model.js';
export { hypothesis } from './claim.js';

// Causes inferred from the surroundings rather than from the target itself: other alerts firing,
// capacity in general, logs that may belong to another workload.
const GENERIC = /^(blast\.|capacity\.|generic\.)/;

/**
 * Specific evidence beats generic patterns: when something about the target itself (a probe
 * failure, an exit code, a dependency error in its own logs) supports a cause, a storm-wide or
 * capacity explanation is kept below it. Returns new objects; the input is not changed.
 */
export function preferSpecific(
  hyps: readonly Hypothesis[],
  namespaceWideSigs: ReadonlySet<string>,
): Hypothesis[] {
  const isGeneric = (h: Hypothesis) => GENERIC.test(h.id) || namespaceWideSigs.has(h.id);
  const best = Math.max(
    0,
    ...hyps.filter((h) => !isGeneric(h) && !h.id.startsWith('noise.')).map((h) => h.score),
  );
  if (best < 50) return [...hyps];
  // A storm-wide pattern says nothing about a target whose own evidence explains it.
  const kept = best >= 60 ? hyps.filter((h) => !h.id.startsWith('blast.')) : hyps;
  return kept.map((h) => (isGeneric(h) && h.score >= best ? { ...h, score: Math.max(0, best - 5) } : h));
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
  let score = (m <= 15 ? 85 : m <= 30 ? 75 : m <= 60 ? 65 : 50) + (c.imageChanged ? 5 : 0);
  // For a rollout-health alert the rollout is the subject, not the cause: why its new pods fail
  // (image, crash, quota) is the finding, so it ranks above the rollout itself.
  if (ctx.family.family === 'k8s_rollout_health') score = Math.min(score, 80);
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
    // Lines from namespace-wide logs that cannot be tied to the target may be another
    // workload's: they stay in the log findings but never become a claim about this target.
    const onlyAppLogs = s.evidenceIds.every((id) => id === EV.logs);
    if (ctx.logs.namespaceWide && onlyAppLogs) return null;
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
    // Other alerts are not evidence about this target: a lead to check, never a confident claim.
    40 + (b.firing >= 10 ? 5 : 0) + (b.clusters.count > 1 ? 5 : 0),
    'The same alert fires for unrelated workloads at once, which points at a shared dependency, a platform component (nodes, DNS, registry, network) or a rule that is too sensitive, more than at this one target.',
    [EV.amAlerts],
  );
}
