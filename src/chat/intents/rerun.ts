import { normalize, windowMinutes } from '../text.js';
import type { Intent } from '../types.js';
import { citationsOf, unavailable } from './format.js';

export const rerunIntent: Intent<{ minutes: number | null }> = {
  name: 'rerun',
  scopes: ['case'],
  help: 'investigate again — "rerun the investigation"',
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
    const out = await call('rerun_investigation', {});
    if (out.status !== 'ok')
      return { text: unavailable('a new investigation', out), citations: citationsOf(out) };
    // The rerun command investigates the alert's own window (TIME_WINDOW); say so rather than pretend.
    const note = p.minutes
      ? ` It uses the configured evidence window (TIME_WINDOW), not ${p.minutes} min: the rerun command takes no window yet.`
      : '';
    return {
      text: `${out.summary}; its steps will show on the case timeline and in this thread's case page.${note}`,
      citations: citationsOf(out),
    };
  },
};
