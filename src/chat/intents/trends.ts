import { any, normalize, windowMinutes } from '../text.js';
import type { Intent } from '../types.js';
import { citationsOf, unavailable } from './format.js';

export const trendsIntent: Intent<{ hours: number }> = {
  name: 'trends',
  scopes: ['global', 'case'],
  help: 'trends against the previous window — "more alerts than yesterday?", "trend over 7d"',
  match(text, scope) {
    const t = normalize(text);
    if (
      any(t, [
        /\btrends?\b/,
        /\bcompared?\b/,
        /\bvs\.?\b|\bversus\b/,
        /\b(more|fewer|less) (alerts|cases|incidents)\b/,
        /\bthan (yesterday|usual|last)\b/,
        /\b(increas|decreas|spik)\w*\b/,
        /\bprevious (window|period|day|week)\b/,
      ])
    )
      return {
        score: scope === 'global' ? 3.2 : 1.5,
        params: { hours: Math.max(1, Math.min(720, Math.round((windowMinutes(text) ?? 1440) / 60))) },
      };
    return null;
  },
  async answer(p, _ctx, call) {
    const out = await call('trends', { hours: p.hours });
    if (out.status === 'empty')
      return { text: `No episode started in the last ${2 * p.hours}h.`, citations: citationsOf(out) };
    if (out.status !== 'ok') return { text: unavailable('the trend', out), citations: citationsOf(out) };
    const r = out.result as {
      current: number;
      previous: number;
      byAlert: { alertname: string; current: number; previous: number }[];
    };
    const delta = r.current - r.previous;
    const pct = r.previous ? ` (${delta >= 0 ? '+' : ''}${Math.round((delta / r.previous) * 100)}%)` : '';
    const lines = [
      `${r.current} episodes started in the last ${p.hours}h against ${r.previous} in the ${p.hours}h before${pct}.`,
    ];
    if (r.byAlert.length) {
      lines.push('Biggest movers:');
      for (const a of r.byAlert) lines.push(`- ${a.alertname}: ${a.current} vs ${a.previous}`);
    }
    return { text: lines.join('\n'), citations: citationsOf(out) };
  },
};
