// A claim: one hypothesis built only from evidence that answered.

import type { EvidenceItem } from '../collectors/evidence.js';
import type { Hypothesis } from '../contract/report.js';
import type { Ctx } from './model.js';
import { cap, clamp, oneLine, uniq } from './text.js';
import { answered, byId } from './view.js';

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
