import type { Classification } from '../contract/report.js';

// The review of what a model said, before anything of it is kept: every claim must cite evidence
// ids of this run; a claim citing none, citing ids the run does not have, or contradicting the
// deterministic verdict is dropped and listed as flagged. Pure.

export type ClaimSection = 'summary' | 'root_cause' | 'next_step' | 'unknown';

export interface Claim {
  section: ClaimSection;
  text: string;
  evidence: string[];
}

export type FlagReason = 'uncited' | 'unknown_evidence' | 'contradicts_verdict';

export interface FlaggedClaim extends Claim {
  reason: FlagReason;
}

export interface ReviewContext {
  evidenceIds: ReadonlySet<string>;
  classification: Classification | string;
  family: string;
}

const CLASSES = ['actionable', 'informational', 'noisy', 'artifact'];
// Phrases that wave an alert away.
const DISMISS =
  /\b(safe to ignore|can be ignored|ignore (this|the) alert|no action (is )?(needed|required)|false positive|not a real (problem|issue)|close (this|the) case)\b/i;

/** Keeps claims that stand on this run's evidence; the rest is returned as flagged. */
export function reviewClaims(
  claims: Claim[],
  ctx: ReviewContext,
): { kept: Claim[]; flagged: FlaggedClaim[] } {
  const kept: Claim[] = [];
  const flagged: FlaggedClaim[] = [];
  for (const c of claims) {
    const evidence = [...new Set(c.evidence.map((e) => e.trim()).filter(Boolean))];
    const unknown = evidence.filter((e) => !ctx.evidenceIds.has(e));
    const reason: FlagReason | null = contradicts(c.text, ctx)
      ? 'contradicts_verdict'
      : unknown.length > 0
        ? 'unknown_evidence'
        : evidence.length === 0 && c.section !== 'unknown'
          ? 'uncited'
          : null;
    if (reason) flagged.push({ ...c, evidence, reason });
    else kept.push({ ...c, evidence });
  }
  return { kept, flagged };
}

function contradicts(text: string, ctx: ReviewContext): boolean {
  // Waving an alert away is a verdict: only the report may say it (as noisy or artifact).
  if (ctx.classification !== 'noisy' && ctx.classification !== 'artifact' && DISMISS.test(text)) return true;
  // "classified as noisy", "verdict: informational" naming a class other than the deterministic one.
  const m =
    /\b(?:classif\w*|verdict|category)\b[^.]{0,40}?\b(actionable|informational|noisy|artifact)\b/i.exec(text);
  return m !== null && CLASSES.includes(m[1]!.toLowerCase()) && m[1]!.toLowerCase() !== ctx.classification;
}
