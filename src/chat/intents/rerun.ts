import { normalize, windowMinutes } from '../text.js';
import type { Intent } from '../types.js';
import { citationsOf, unavailable } from './format.js';

export const rerunIntent: Intent<{ minutes: number | null }> = {
  name: 'rerun',
  scopes: ['case'],
  help: 'investigate again, with another window if asked — "rerun the investigation with a 2h window"',
  match(text) {
    const t = normalize(text);
    if (
      /\b(re-?run|re-?investigate|investigate (it |this )?again|run (the |an |another )?investigation( again)?|new investigation|re-?analy[sz]e)\b/.test(
        t,
      )
    )
      return { score: 4, params: { minutes: windowMinutes(text) } };
    return null;
  },
  async answer(p, ctx, call) {
    const out = await call('rerun_investigation', p.minutes ? { windowMinutes: p.minutes } : {});
    if (out.status !== 'ok')
      return { text: unavailable('a new investigation', out), citations: citationsOf(out) };
    const note = p.minutes
      ? ` It reads evidence ${p.minutes} min each side of the alert's start.`
      : ' It reads the usual evidence window (TIME_WINDOW).';
    return {
      text: `${out.summary}; its steps will show on the case timeline and in this thread's case page.${note}`,
      citations: citationsOf(out),
    };
  },
};
