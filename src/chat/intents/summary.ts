import { any, normalize } from '../text.js';
import type { Intent } from '../types.js';
import { citationsOf, unavailable } from './format.js';

interface Summary {
  status: string;
  alertname: string | null;
  episode: number;
  startsAt: string | null;
  closed: { category: string; note: string | null; by: string | null } | null;
  investigations: { id: string; state: string }[];
  summary?: string | null;
  verdict?: string | null;
  classification?: string | null;
  family?: string | null;
  target?: string | null;
  scores?: { impact: number | null; confidence: number | null; noise: number | null };
  topHypothesis?: { title?: string; score?: number; evidence?: string[] } | null;
}

export const summaryIntent: Intent<null> = {
  name: 'summary',
  scopes: ['case'],
  help: 'summary and status of this case — "what is going on?"',
  match(text) {
    const t = normalize(text);
    if (
      any(t, [
        /\b(summary|summari[sz]e|tl;?dr|overview|recap|brief me)\b/,
        /\bwhat'?s (going on|happening|up)\b/,
        /\bwhat is (going on|happening)\b/,
      ])
    )
      return { score: 3, params: null };
    if (
      any(t, [
        /\bstatus\b/,
        /\bstate of\b/,
        /\bis (it|this) (still )?(firing|resolved|open|closed)\b/,
        /\bwhat is this\b/,
      ])
    )
      return { score: 2, params: null };
    return null;
  },
  async answer(_p, ctx, call) {
    const out = await call('case_report', { section: 'summary' });
    if (out.status !== 'ok' && out.status !== 'empty')
      return { text: unavailable('the case', out), citations: citationsOf(out) };
    const r = out.result as Summary;
    const lines: string[] = [];
    const closed = r.closed
      ? ` (closed as ${r.closed.category}${r.closed.by ? ` by ${r.closed.by}` : ''})`
      : '';
    lines.push(
      `${r.alertname ?? 'This alert'} is ${r.status}${closed}; episode ${r.episode} started ${r.startsAt ?? 'at an unknown time'}.`,
    );
    if (out.status === 'empty' || r.summary === undefined) {
      const last = r.investigations.at(-1);
      lines.push(
        last ? `No report yet: the latest investigation is ${last.state}.` : 'No investigation has run yet.',
      );
      return { text: lines.join('\n'), citations: citationsOf(out) };
    }
    if (r.summary) lines.push(`Summary: ${r.summary}`);
    if (r.verdict) lines.push(`Verdict: ${r.verdict}`);
    lines.push(
      `Classified ${r.classification ?? 'unknown'} (${r.family ?? 'unknown family'}); impact ${r.scores?.impact ?? '?'}, confidence ${r.scores?.confidence ?? '?'}, noise ${r.scores?.noise ?? '?'} of 100.`,
    );
    if (r.target) lines.push(`Target: ${r.target}.`);
    const h = r.topHypothesis;
    if (h?.title)
      lines.push(
        `Top hypothesis (${h.score ?? '?'}): ${h.title}${h.evidence?.length ? ` — evidence ${h.evidence.join(', ')}` : ''}.`,
      );
    return { text: lines.join('\n'), citations: citationsOf(out) };
  },
};
