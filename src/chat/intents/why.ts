import { any, normalize } from '../text.js';
import type { Intent } from '../types.js';
import { citationsOf, unavailable } from './format.js';

interface Why {
  classification: string | null;
  reason: string | null;
  family: string | null;
  familyReasons: string[];
  scores: { impact: number | null; confidence: number | null; noise: number | null };
  factors: { score?: string; factor?: string; points?: number; why?: string }[];
}

export const whyIntent: Intent<null> = {
  name: 'why',
  scopes: ['case'],
  help: 'why this classification and these scores — "why is it actionable?", "why noise 80?"',
  match(text) {
    const t = normalize(text);
    const why = /\b(why|how come|explain|reason|justify)\b/.test(t);
    const about =
      /\b(classif\w*|score[sd]?|scoring|actionable|informational|noisy|noise|artifact|impact|confidence|family|categor\w*|severity|rated|ranked)\b/.test(
        t,
      );
    if (why && about) return { score: 4, params: null };
    if (about && any(t, [/\bclassif/, /\bscor(e|ing)\b/])) return { score: 2.5, params: null };
    return null;
  },
  async answer(_p, ctx, call) {
    const out = await call('case_report', { section: 'classification' });
    if (out.status !== 'ok')
      return { text: unavailable('the classification', out), citations: citationsOf(out) };
    const r = out.result as Why;
    const lines = [
      `Classified ${r.classification ?? 'unknown'}: ${r.reason ?? 'no reason recorded'}.`,
      `Family ${r.family ?? 'unknown'}${r.familyReasons.length ? ` because ${r.familyReasons.slice(0, 3).join('; ')}` : ''}.`,
      `Scores: impact ${r.scores.impact ?? '?'}, confidence ${r.scores.confidence ?? '?'}, noise ${r.scores.noise ?? '?'}.`,
    ];
    if (r.factors.length) {
      lines.push('Largest score factors:');
      for (const f of r.factors.slice(0, 6))
        lines.push(
          `- ${f.score ?? '?'} ${(f.points ?? 0) >= 0 ? '+' : ''}${f.points ?? 0}: ${f.factor ?? '?'} — ${f.why ?? ''}`,
        );
    }
    return { text: lines.join('\n'), citations: citationsOf(out) };
  },
};
