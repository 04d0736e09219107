import { any, normalize, valueAfter } from '../text.js';
import type { Intent } from '../types.js';
import { citationsOf, unavailable } from './format.js';

interface Filter {
  team?: string;
  namespace?: string;
  cluster?: string;
}

/** team / namespace / cluster named in the question (values are bound parameters, never SQL). */
export function filterOf(text: string): Filter {
  const f: Filter = {};
  const team = valueAfter(text, ['team', 'owner', 'owned by']);
  const ns = valueAfter(text, ['namespace', 'ns']);
  const cluster = valueAfter(text, ['cluster']);
  if (team) f.team = team;
  if (ns) f.namespace = ns;
  if (cluster) f.cluster = cluster;
  return f;
}

export const firingIntent: Intent<Filter> = {
  name: 'firing',
  scopes: ['global', 'case'],
  help: 'what is firing, for a team, namespace or cluster — "what is firing for team payments?", "firing in namespace shop"',
  match(text, scope) {
    const t = normalize(text);
    if (
      any(t, [
        /\bfiring\b/,
        /\bon fire\b/,
        /\bactive alerts?\b/,
        /\bwhat'?s (broken|alerting|down)\b/,
        /\bwhat is (broken|alerting|down)\b/,
      ])
    )
      return { score: scope === 'global' ? 3 : 1.5, params: filterOf(text) };
    return null;
  },
  async answer(p, _ctx, call) {
    const out = await call('firing_for', p);
    const scope = [
      p.team && `team ${p.team}`,
      p.namespace && `namespace ${p.namespace}`,
      p.cluster && `cluster ${p.cluster}`,
    ]
      .filter(Boolean)
      .join(', ');
    const forWhom = scope ? ` for ${scope}` : '';
    if (out.status === 'empty') return { text: `Nothing is firing${forWhom}.`, citations: citationsOf(out) };
    if (out.status !== 'ok')
      return { text: unavailable(`firing cases${forWhom}`, out), citations: citationsOf(out) };
    const r = out.result as {
      cases: {
        caseId: string;
        alertname: string;
        severity: string | null;
        namespace: string | null;
        cluster: string | null;
        since: string;
        classification: string | null;
      }[];
      truncated: boolean;
    };
    const lines = [`${r.cases.length}${r.truncated ? '+' : ''} firing${forWhom}:`];
    for (const c of r.cases)
      lines.push(
        `- ${c.alertname}${c.severity ? ` (${c.severity})` : ''} in ${c.namespace ?? '?'}${c.cluster ? `@${c.cluster}` : ''} since ${c.since}${c.classification ? `, ${c.classification}` : ''} [${c.caseId}]`,
      );
    return { text: lines.join('\n'), citations: citationsOf(out) };
  },
};
