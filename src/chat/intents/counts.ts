import { any, normalize, windowMinutes } from '../text.js';
import type { Intent } from '../types.js';
import { citationsOf, unavailable } from './format.js';

const hoursOf = (text: string) => Math.max(1, Math.min(720, Math.round((windowMinutes(text) ?? 1440) / 60)));

export const countsIntent: Intent<{ hours: number }> = {
  name: 'counts',
  scopes: ['global', 'case'],
  help: 'how many cases, by status — "how many cases are open?"',
  match(text, scope) {
    const t = normalize(text);
    if (
      any(t, [
        /\bhow many\b/,
        /\b(count|counts|totals?|number of)\b/,
        /\bopen cases\b/,
        /\binbox (size|status)\b/,
      ])
    )
      return { score: scope === 'global' ? 3 : 1.5, params: { hours: hoursOf(text) } };
    return null;
  },
  async answer(p, _ctx, call) {
    const out = await call('inbox_counts', { hours: p.hours });
    if (out.status === 'empty') return { text: 'There are no cases yet.', citations: citationsOf(out) };
    if (out.status !== 'ok') return { text: unavailable('the inbox', out), citations: citationsOf(out) };
    const r = out.result as {
      total: number;
      byStatus: { status: string; n: number }[];
      firedRecently: number;
      hours: number;
    };
    const parts = r.byStatus.map((s) => `${s.n} ${s.status}`).join(', ');
    return {
      text: `${r.total} cases: ${parts}.\n${r.firedRecently} of them started an episode in the last ${r.hours}h.`,
      citations: citationsOf(out),
    };
  },
};
