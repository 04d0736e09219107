import { any, codeSpan, normalize, windowMinutes } from '../text.js';
import type { Intent } from '../types.js';
import type { InstantData, RangeData } from '../../collectors/evidence.js';
import { citationsOf, labelText, num, unavailable } from './format.js';

export interface PromqlParams {
  query: string | null;
  rangeMinutes: number | null;
}

// A query typed without backticks: what follows "run", "query", "promql", "eval".
const LEAD =
  /^\s*(?:please\s+)?(?:can you\s+)?(?:run|execute|eval(?:uate)?|query|promql|graph|plot)\s*(?:this\s+|the\s+)?(?:promql|query)?\s*[:-]?\s*/i;
// A trailing " over the last 2h" / " as a range for 30m" is the window, not the query.
const TAIL =
  /\s+(?:(?:as a )?range\s+)?(?:over|for|in)\s+(?:the\s+)?(?:last|past)\s+\d{1,4}\s*[a-z]+\s*$|\s+(?:as a )?range\s*$|\s+(?:now|instant)\s*$/i;

export function extractQuery(text: string): string | null {
  const code = codeSpan(text);
  if (code) return code;
  if (!LEAD.test(text)) return null;
  const rest = text.replace(LEAD, '').replace(TAIL, '').trim();
  // Something that reads as PromQL: a metric or function name, and no sentence words only.
  if (!/[a-zA-Z_:][a-zA-Z0-9_:]*/.test(rest) || rest.length === 0) return null;
  return rest;
}

export const promqlIntent: Intent<PromqlParams> = {
  name: 'promql',
  scopes: ['case', 'global'],
  help: 'run a PromQL query, instant or over a range — "run `rate(http_requests_total[5m])` over the last 1h"',
  match(text) {
    const t = normalize(text);
    const code = codeSpan(text);
    const asked = any(t, [
      /^\s*(?:please\s+)?(?:can you\s+)?(run|execute|eval(uate)?|graph|plot)\b/,
      /\bpromql\b/,
      /^\s*query\b/,
    ]);
    if (!code && !asked) return null;
    const range = /\b(range|over|graph|plot|trend of)\b/.test(t) || /\b(last|past)\s+\d/.test(t);
    const minutes = range ? (windowMinutes(text) ?? 60) : null;
    return { score: code ? 5 : 3, params: { query: extractQuery(text), rangeMinutes: minutes } };
  },
  async answer(p, ctx, call) {
    if (!p.query)
      return {
        text: 'Which query? Put it in backticks, e.g. run `up{job="api"}` or run `rate(errors_total[5m])` over the last 1h.',
        citations: [],
      };
    const out = await call('promql_query', {
      query: p.query,
      ...(p.rangeMinutes ? { rangeMinutes: p.rangeMinutes } : {}),
    });
    if (out.status !== 'ok')
      return { text: unavailable(`the query ${p.query}`, out), citations: citationsOf(out) };
    const data = out.result as (InstantData | RangeData) & { truncated?: boolean };
    const lines: string[] = [];
    if (p.rangeMinutes) {
      const series = (data as RangeData).series;
      lines.push(`${series.length}${data.truncated ? '+' : ''} series over the last ${p.rangeMinutes} min:`);
      for (const s of series.slice(0, 10)) {
        const values = s.points.map((pt) => pt[1]);
        const last = values.at(-1) ?? NaN;
        lines.push(
          `- ${labelText(s.labels)} last ${num(last)}, min ${num(Math.min(...values))}, max ${num(Math.max(...values))} (${values.length} points)`,
        );
      }
    } else {
      const series = (data as InstantData).series;
      lines.push(`${series.length}${data.truncated ? '+' : ''} series now:`);
      for (const s of series.slice(0, 10)) lines.push(`- ${labelText(s.labels)} = ${num(s.value)}`);
    }
    if ((data.series?.length ?? 0) > 10)
      lines.push(`… and ${data.series.length - 10} more (see the tool call).`);
    return { text: lines.join('\n'), citations: citationsOf(out) };
  },
};
