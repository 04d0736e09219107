import { any, normalize } from '../text.js';
import type { Intent, SimilarCase } from '../types.js';
import { citationsOf, unavailable } from './format.js';

export const similarIntent: Intent<null> = {
  name: 'similar',
  scopes: ['case'],
  help: 'similar past incidents and how they were resolved — "have we seen this before?"',
  match(text) {
    const t = normalize(text);
    if (
      any(t, [
        /\bsimilar\b/,
        /\b(seen|had) (this|it|that) before\b/,
        /\bhappened before\b/,
        /\b(past|previous|earlier|prior) (incidents?|cases?|occurrences?|outages?)\b/,
        /\blast time\b/,
        /\bhow (was|were|did) (it|they|we) (get )?(resolved|fixed|solved|handle)/,
        /\bbefore\?$/,
      ])
    )
      return { score: 3.5, params: null };
    return null;
  },
  async answer(_p, ctx, call) {
    const out = await call('similar_cases', { limit: 5 });
    if (out.status === 'empty') return { text: 'No similar past case found.', citations: citationsOf(out) };
    if (out.status !== 'ok') return { text: unavailable('case memory', out), citations: citationsOf(out) };
    const { similar } = out.result as { similar: SimilarCase[] };
    const lines = [`${similar.length} similar past case${similar.length === 1 ? '' : 's'}:`];
    for (const c of similar) {
      const why = c.features.map((f) => `${f.feature} ${f.detail} (+${Math.round(f.points)})`).join(', ');
      const r = c.resolution;
      const res = r.category
        ? `closed as ${r.category}${r.by ? ` by ${r.by}` : ''}${r.note ? `: "${r.note}"` : ''}${r.minutesToResolve !== null ? ` after ${Math.round(r.minutesToResolve)} min` : ''}`
        : `not closed by anyone${r.minutesToResolve !== null ? ` (alert ended after ${Math.round(r.minutesToResolve)} min)` : ''}`;
      const again = r.firedAgain
        ? `; fired again${r.firedAgainAt ? ` at ${r.firedAgainAt}` : ''}`
        : '; did not fire again';
      lines.push(
        `- ${c.alertname} [${c.caseId} episode ${c.episode}, ${c.startedAt}] score ${Math.round(c.score)}: ${why}; ${res}${again}.`,
      );
    }
    return { text: lines.join('\n'), citations: citationsOf(out) };
  },
};
