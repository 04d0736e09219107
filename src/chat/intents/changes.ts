import { any, normalize } from '../text.js';
import type { Intent } from '../types.js';
import { citationsOf, unavailable } from './format.js';

interface Changes {
  known: boolean;
  reason: string | null;
  items: {
    workload?: string;
    revision?: string;
    at?: string;
    imagesBefore?: string[];
    imagesAfter?: string[];
    imageChanged?: boolean;
    minutesBeforeAlert?: number;
    evidenceId?: string;
  }[];
}

export const changesIntent: Intent<null> = {
  name: 'changes',
  scopes: ['case'],
  help: 'what changed before the alert (rollouts, images) — "what changed?", "was there a deploy?"',
  match(text) {
    const t = normalize(text);
    if (
      any(t, [
        /\bwhat('?s| has| did)? ?changed?\b/,
        /\b(any|recent|latest) (changes?|deploy\w*|releases?|rollouts?)\b/,
        /\b(was|were) there (a |any )?(deploy\w*|change|release|rollout)/,
        /\bchanged\b/,
      ])
    )
      return { score: 3, params: null };
    if (
      any(t, [/\b(deploy(ed|ment)?s?|release[sd]?|new version|image (change|bump)|revision)\b/]) &&
      !/\b(pod|rollout status|replicas)\b/.test(t)
    )
      return { score: 1.5, params: null };
    return null;
  },
  async answer(_p, ctx, call) {
    const out = await call('case_report', { section: 'changes' });
    if (out.status !== 'ok') return { text: unavailable('the changes', out), citations: citationsOf(out) };
    const r = out.result as Changes;
    if (!r.known)
      return {
        text: `What changed is unknown: ${r.reason ?? 'no change evidence was read'}.`,
        citations: citationsOf(out),
      };
    if (r.items.length === 0)
      return {
        text: 'No rollout or image change was found in the investigation window.',
        citations: citationsOf(out),
      };
    const lines = [`${r.items.length} change${r.items.length === 1 ? '' : 's'} found:`];
    for (const c of r.items) {
      const when =
        typeof c.minutesBeforeAlert === 'number'
          ? c.minutesBeforeAlert >= 0
            ? `${Math.round(c.minutesBeforeAlert)} min before the alert`
            : `${Math.round(-c.minutesBeforeAlert)} min after the alert`
          : (c.at ?? 'at an unknown time');
      const images = c.imageChanged
        ? `; image ${(c.imagesBefore ?? []).join(', ') || '?'} → ${(c.imagesAfter ?? []).join(', ') || '?'}`
        : '; same images';
      lines.push(
        `- ${c.workload ?? '?'} revision ${c.revision ?? '?'} ${when}${images} [${c.evidenceId ?? '?'}]`,
      );
    }
    return { text: lines.join('\n'), citations: citationsOf(out) };
  },
};
