import { any, normalize, windowMinutes } from '../text.js';
import type { Intent } from '../types.js';
import { citationsOf, unavailable } from './format.js';

export const noisyIntent: Intent<{ hours: number; limit: number }> = {
  name: 'noisy',
  scopes: ['global', 'case'],
  help: 'the noisiest alerts — "top noisy alerts this week"',
  match(text, scope) {
    const t = normalize(text);
    if (
      any(t, [
        /\b(noisiest|loudest|flapp\w+|chattiest)\b/,
        /\b(top|most) (noisy|frequent|firing|common)\b/,
        /\bnoisy alerts?\b/,
        /\btop alerts?\b/,
        /\bfire(s|d)? (the )?most\b/,
      ])
    )
      return {
        score: scope === 'global' ? 3.5 : 2,
        params: {
          hours: Math.max(1, Math.min(720, Math.round((windowMinutes(text) ?? 1440) / 60))),
          limit: 5,
        },
      };
    return null;
  },
  async answer(p, _ctx, call) {
    const out = await call('top_noisy', { hours: p.hours, limit: p.limit });
    if (out.status === 'empty')
      return { text: `No alert was active in the last ${p.hours}h.`, citations: citationsOf(out) };
    if (out.status !== 'ok') return { text: unavailable('the inbox', out), citations: citationsOf(out) };
    const r = out.result as {
      alerts: { alertname: string; cases: number; episodes: number; avgNoise: number | null }[];
    };
    const lines = [`Noisiest alerts in the last ${p.hours}h (by episodes):`];
    r.alerts.forEach((a, i) =>
      lines.push(
        `${i + 1}. ${a.alertname}: ${a.episodes} episodes over ${a.cases} cases${a.avgNoise !== null ? `, average noise ${a.avgNoise}` : ''}`,
      ),
    );
    return { text: lines.join('\n'), citations: citationsOf(out) };
  },
};
