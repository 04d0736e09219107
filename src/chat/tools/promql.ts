import { z } from 'zod';
import { requestDenial } from '../../collectors/namespace-policy.js';
import type { EvidenceItem, InstantData, RangeData } from '../../collectors/evidence.js';
import { citeQuery } from '../cite.js';
import { clusterDenial, promqlClusters } from '../policy.js';
import type { ChatTool, ToolOutput, TurnContext } from '../types.js';
import { fromItem } from './item.js';

const input = z.object({
  query: z
    .string()
    .trim()
    .min(1, { message: 'an empty query' })
    .max(1000, { message: 'a query of at most 1000 characters' }),
  /** Range query over the last this-many minutes; instant when absent. */
  rangeMinutes: z.number().int().positive().optional(),
  stepSeconds: z.number().int().positive().optional(),
});
export type PromqlInput = z.infer<typeof input>;

/** Runs a PromQL query (instant or range) against Prometheus, bounded in window, steps and series. */
export const promqlTool: ChatTool<PromqlInput> = {
  name: 'promql_query',
  description:
    'Runs a read-only PromQL query against Prometheus, instant (now) or range (rangeMinutes, bounded by CHAT_MAX_RANGE and CHAT_MAX_RANGE_STEPS); at most CHAT_MAX_SERIES series come back.',
  inputSchema: input,
  request: (i) => (i.rangeMinutes ? `${i.query} [range ${i.rangeMinutes}m]` : i.query),
  async run(i, ctx) {
    const { limits } = ctx.deps;
    const denied =
      promqlClusters(i.query)
        .map((c) => clusterDenial(limits, c))
        .find((d) => d !== null) ??
      requestDenial(limits.namespaces, {
        id: 'q',
        title: 'q',
        source: 'prometheus',
        kind: 'instant',
        query: i.query,
      });
    if (denied) return deniedOutput(denied);
    const end = ctx.deps.now();
    let item: EvidenceItem;
    if (i.rangeMinutes) {
      const rangeMs = i.rangeMinutes * 60_000;
      if (rangeMs > limits.maxRangeMs) {
        return {
          status: 'limited',
          code: 'TARKA_CHAT_TOOL_LIMIT',
          summary: `a ${i.rangeMinutes}m range is longer than CHAT_MAX_RANGE (${Math.round(limits.maxRangeMs / 60_000)}m)`,
          result: null,
          citations: [],
        };
      }
      // Never more points per series than CHAT_MAX_RANGE_STEPS, whatever step was asked for.
      const step = Math.max(i.stepSeconds ?? 0, Math.ceil(rangeMs / 1000 / limits.maxRangeSteps), 1);
      item = await ctx.deps.collectors.collect(
        {
          id: `chat-${ctx.turnId}`,
          title: 'chat query',
          source: 'prometheus',
          kind: 'range',
          query: i.query,
          stepSeconds: step,
        },
        { start: new Date(end.getTime() - rangeMs), end },
      );
    } else {
      item = await ctx.deps.collectors.collect(
        {
          id: `chat-${ctx.turnId}`,
          title: 'chat query',
          source: 'prometheus',
          kind: 'instant',
          query: i.query,
        },
        { start: new Date(end.getTime() - 300_000), end },
      );
    }
    const out = fromItem(item, ctx);
    const data = item.data as InstantData | RangeData | null;
    if (data && 'series' in data && Array.isArray(data.series)) {
      const cut = data.series.length > limits.maxSeries;
      out.result = {
        ...data,
        series: data.series.slice(0, limits.maxSeries),
        truncated: cut || !!item.truncated,
      };
      out.summary =
        item.status === 'ok'
          ? `${data.series.length}${item.truncated || cut ? '+' : ''} series`
          : out.summary;
    }
    out.citations = [citeQuery(`promql`, item.query, promLink(ctx, i))];
    return out;
  },
};

/** A Prometheus graph link when the thread knows Prometheus' public URL. */
function promLink(ctx: TurnContext, i: PromqlInput): string | null {
  const base = ctx.deps.prometheusPublicUrl;
  if (!base) return null;
  const u = new URL('/graph', base);
  u.searchParams.set('g0.expr', i.query);
  u.searchParams.set('g0.tab', i.rangeMinutes ? '0' : '1');
  if (i.rangeMinutes) u.searchParams.set('g0.range_input', `${i.rangeMinutes}m`);
  return u.toString();
}

export const deniedOutput = (why: string): ToolOutput => ({
  status: 'denied',
  code: 'TARKA_CHAT_TOOL_DENIED',
  summary: why,
  result: null,
  citations: [],
});
