import { any, normalize } from '../text.js';
import type { Intent } from '../types.js';
import { citationsOf, unavailable } from './format.js';

interface Hyp {
  hypotheses: {
    id?: string;
    title?: string;
    score?: number;
    rationale?: string;
    evidence?: string[];
    queries?: string[];
  }[];
  logPatterns: { pattern?: string; count?: number; example?: string; evidenceIds?: string[] }[];
}

const ORDINALS: Record<string, number> = {
  first: 1,
  top: 1,
  second: 2,
  third: 3,
  fourth: 4,
  fifth: 5,
  sixth: 6,
};

/** Which hypothesis (1-based) a question names; 1 when it names none. */
function which(t: string): number {
  const n = /\bhypothes[ie]s\s*#?\s*(\d)\b|#(\d)\b|\b(\d)(?:st|nd|rd|th)\b/.exec(t);
  if (n) return Number(n[1] ?? n[2] ?? n[3]);
  const o = /\b(first|top|second|third|fourth|fifth|sixth)\b/.exec(t);
  return o ? ORDINALS[o[1]!]! : 1;
}

export const evidenceIntent: Intent<{ index: number; logs: boolean }> = {
  name: 'evidence',
  scopes: ['case'],
  help: 'the evidence, queries and log lines behind a hypothesis — "show the query behind hypothesis 2"',
  match(text) {
    const t = normalize(text);
    const params = { index: which(t), logs: /\blogs?\b/.test(t) };
    if (/\bhypothes[ie]s\b/.test(t)) return { score: 4, params };
    if (
      any(t, [
        /\b(query|queries|logs?|evidence|proof|data) (behind|for|supporting|backing)\b/,
        /\bhow do (you|we) know\b/,
        /\bwhat (is|was) (it|this) based on\b/,
        /\bshow (me )?(the )?evidence\b/,
        /\bcitations?\b/,
      ])
    )
      return { score: 3.5, params };
    return null;
  },
  async answer(p, ctx, call) {
    const out = await call('case_report', { section: 'hypotheses' });
    if (out.status !== 'ok') return { text: unavailable('the hypotheses', out), citations: citationsOf(out) };
    const r = out.result as Hyp;
    if (r.hypotheses.length === 0)
      return { text: 'The report has no hypothesis to show evidence for.', citations: citationsOf(out) };
    const h = r.hypotheses[p.index - 1];
    if (!h)
      return {
        text: `The report has ${r.hypotheses.length} hypotheses; there is no number ${p.index}.`,
        citations: citationsOf(out),
      };
    const ids = new Set(h.evidence ?? []);
    const lines = [`Hypothesis ${p.index}: ${h.title ?? '?'} (score ${h.score ?? '?'}).`, h.rationale ?? ''];
    lines.push(`Evidence: ${[...ids].join(', ') || 'none cited'}.`);
    for (const q of h.queries ?? []) lines.push(`Query: ${q}`);
    const patterns = r.logPatterns.filter((lp) => (lp.evidenceIds ?? []).some((id) => ids.has(id)) || p.logs);
    if (patterns.length) {
      lines.push('Log lines behind it:');
      for (const lp of patterns.slice(0, 3))
        lines.push(
          `- ${lp.count ?? 0}× ${lp.pattern ?? ''} e.g. ${lp.example ?? ''} [${(lp.evidenceIds ?? []).join(', ')}]`,
        );
    }
    // Only the cited items of this hypothesis, not every hypothesis'.
    const citations = citationsOf(out).filter((c) => c.kind === 'case' || ids.has(c.ref));
    return { text: lines.filter(Boolean).join('\n'), citations };
  },
};
