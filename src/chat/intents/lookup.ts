import { normalize } from '../text.js';
import type { Intent } from '../types.js';
import { citationsOf, unavailable } from './format.js';

const STOP = new Set([
  'the',
  'a',
  'an',
  'case',
  'cases',
  'for',
  'about',
  'of',
  'up',
  'me',
  'please',
  'with',
  'id',
  'named',
  'called',
  'is',
  'what',
]);

/** What to look for: an id-like token, else the words after the verb. */
export function lookupQuery(text: string): string | null {
  const id = /\b([0-9a-f]{12,64})\b/i.exec(text);
  if (id) return id[1]!;
  const m =
    /\b(?:look ?up|find|search(?: for)?|open|show me case|which case(?:s)?(?: is| are)?(?: about)?)\s+(.+)$/i.exec(
      text.trim(),
    );
  if (!m) return null;
  const words = m[1]!
    .replace(/[?!.]+$/, '')
    .split(/\s+/)
    .filter((w) => !STOP.has(w.toLowerCase()));
  return words.length ? words.join(' ').slice(0, 200) : null;
}

export const lookupIntent: Intent<{ query: string | null }> = {
  name: 'lookup',
  scopes: ['global', 'case'],
  help: 'look up a case by id, alert, namespace or target — "find case KubePodCrashLooping in shop"',
  match(text, scope) {
    const t = normalize(text);
    const verb = /\b(look ?up|find|search|which case)\b/.test(t);
    const id = /\b[0-9a-f]{12,64}\b/.test(t);
    if (verb || (id && /\bcase\b/.test(t)))
      return { score: scope === 'global' ? 3 : 2, params: { query: lookupQuery(text) } };
    return null;
  },
  async answer(p, _ctx, call) {
    if (!p.query)
      return {
        text: 'Which case? Give its id, alert name, namespace or target, e.g. "find KubePodCrashLooping".',
        citations: [],
      };
    const out = await call('case_lookup', { query: p.query });
    if (out.status === 'empty') return { text: `No case matches "${p.query}".`, citations: citationsOf(out) };
    if (out.status !== 'ok') return { text: unavailable('the cases', out), citations: citationsOf(out) };
    const r = out.result as {
      cases: {
        caseId: string;
        alertname: string;
        status: string;
        namespace: string | null;
        summary: string | null;
      }[];
    };
    const lines = [`${r.cases.length} case${r.cases.length === 1 ? '' : 's'} matching "${p.query}":`];
    for (const c of r.cases)
      lines.push(
        `- ${c.alertname} in ${c.namespace ?? '?'}, ${c.status}${c.summary ? `: ${c.summary}` : ''} [${c.caseId}]`,
      );
    return { text: lines.join('\n'), citations: citationsOf(out) };
  },
};
