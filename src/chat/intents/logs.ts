import { any, lineCount, normalize, windowMinutes } from '../text.js';
import { kubeTarget } from '../target.js';
import type { Intent } from '../types.js';
import type { LogsData } from '../../collectors/evidence.js';
import { citationsOf, unavailable } from './format.js';

export const logsIntent: Intent<{ lines: number; minutes: number }> = {
  name: 'logs',
  scopes: ['case'],
  help: 'tail the logs of the target — "tail the logs", "last 50 log lines"',
  match(text) {
    const t = normalize(text);
    if (!any(t, [/\blogs?\b/, /\btail\b/, /\bstd(err|out)\b/, /\blog lines\b/])) return null;
    return { score: 2.5, params: { lines: lineCount(text) ?? 20, minutes: windowMinutes(text) ?? 30 } };
  },
  async answer(p, ctx, call) {
    const t = kubeTarget(ctx.facts!);
    if (!t.namespace)
      return { text: 'This case names no namespace, so I cannot tell whose logs to read.', citations: [] };
    const out = await call('logs_tail', {
      cluster: t.cluster,
      namespace: t.namespace,
      ...(t.pod ? { pod: t.pod } : {}),
      ...(t.container ? { container: t.container } : {}),
      lines: p.lines,
      minutes: p.minutes,
    });
    const who = `${t.namespace}${t.pod ? `/${t.pod}` : ''}`;
    if (out.status !== 'ok')
      return { text: unavailable(`the logs of ${who}`, out), citations: citationsOf(out) };
    const d = out.result as LogsData;
    const lines = [`Newest ${d.lines.length} log lines of ${who} (${d.backend}):`];
    for (const l of d.lines) lines.push(`${l.time ?? ''} ${l.line}`.trim());
    return { text: lines.join('\n'), citations: citationsOf(out) };
  },
};
