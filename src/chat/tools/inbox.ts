import { z } from 'zod';
import { sql } from 'slonik';
import { citeCase, citeQuery } from '../cite.js';
import { clusterDenial } from '../policy.js';
import { namespaceDenial } from '../../collectors/namespace-policy.js';
import type { ChatTool } from '../types.js';
import { deniedOutput } from './promql.js';
import { effectiveStatus } from '../../projections/cases/queries.js';

// Inbox-wide reads of the cases read model. Values travel as bound parameters, never as SQL text.

const hours = z
  .number()
  .int()
  .min(1)
  .max(24 * 30)
  .default(24);

const countsRow = z.object({ status: z.string(), n: z.coerce.number() });
const countsInput = z.object({ hours });
export const inboxCountsTool: ChatTool<z.infer<typeof countsInput>> = {
  name: 'inbox_counts',
  description: 'Counts cases by status (all cases), and cases that fired in the last `hours`.',
  inputSchema: countsInput,
  request: (i) => `count cases by status; new episodes in the last ${i.hours}h`,
  async run(i, ctx) {
    const since = new Date(ctx.deps.now().getTime() - i.hours * 3_600_000).toISOString();
    const byStatus = await ctx.deps.readPool.any(sql.type(countsRow)`
      SELECT ${effectiveStatus} AS status, count(*) AS n FROM cases GROUP BY 1 ORDER BY 2 DESC`);
    const recent = await ctx.deps.readPool.oneFirst(sql.type(z.object({ n: z.coerce.number() }))`
      SELECT count(*) AS n FROM cases WHERE episode_started_at >= ${since}`);
    const total = byStatus.reduce((s, r) => s + r.n, 0);
    return {
      status: total ? 'ok' : 'empty',
      summary: `${total} cases`,
      result: { total, byStatus, firedRecently: recent, hours: i.hours },
      citations: [citeQuery('inbox', 'GET /api/cases', '/')],
    };
  },
};

const noisyRow = z.object({
  alertname: z.string(),
  cases: z.coerce.number(),
  episodes: z.coerce.number(),
  avgNoise: z.coerce.number().nullable(),
  example: z.string(),
});
const noisyInput = z.object({ hours, limit: z.number().int().min(1).max(20).default(5) });
export const topNoisyTool: ChatTool<z.infer<typeof noisyInput>> = {
  name: 'top_noisy',
  description:
    'The alerts with the most episodes among cases active in the last `hours`, with their average noise score.',
  inputSchema: noisyInput,
  request: (i) => `top ${i.limit} alertnames by episodes, cases active in the last ${i.hours}h`,
  async run(i, ctx) {
    const since = new Date(ctx.deps.now().getTime() - i.hours * 3_600_000).toISOString();
    const rows = await ctx.deps.readPool.any(sql.type(noisyRow)`
      SELECT alertname, count(*) AS cases, sum(episode_count) AS episodes,
        round(avg(noise)) AS "avgNoise", min(case_id) AS example
      FROM cases WHERE last_activity_at >= ${since}
      GROUP BY alertname ORDER BY sum(episode_count) DESC, count(*) DESC, alertname LIMIT ${i.limit}`);
    return {
      status: rows.length ? 'ok' : 'empty',
      summary: `${rows.length} alerts`,
      result: { alerts: rows, hours: i.hours },
      citations: rows.map((r) =>
        citeQuery(r.alertname, `alert:${r.alertname}`, `/?q=${encodeURIComponent(`alert:${r.alertname}`)}`),
      ),
    };
  },
};

const firingRow = z.object({
  caseId: z.string(),
  alertname: z.string(),
  severity: z.string().nullable(),
  namespace: z.string().nullable(),
  cluster: z.string().nullable(),
  team: z.string().nullable(),
  since: z.string(),
  classification: z.string().nullable(),
});
const firingInput = z.object({
  team: z.string().max(256).optional(),
  namespace: z.string().max(253).optional(),
  cluster: z.string().max(256).optional(),
  limit: z.number().int().min(1).max(50).default(20),
});
export const firingForTool: ChatTool<z.infer<typeof firingInput>> = {
  name: 'firing_for',
  description: 'Cases firing now, optionally for one team, namespace or cluster.',
  inputSchema: firingInput,
  request: (i) =>
    `firing cases${i.team ? ` team=${JSON.stringify(i.team)}` : ''}${i.namespace ? ` namespace=${JSON.stringify(i.namespace)}` : ''}${i.cluster ? ` cluster=${JSON.stringify(i.cluster)}` : ''}`,
  async run(i, ctx) {
    const denied =
      clusterDenial(ctx.deps.limits, i.cluster) ??
      (i.namespace ? namespaceDenial(ctx.deps.limits.namespaces, i.namespace) : null);
    if (denied) return deniedOutput(denied);
    const filters = [sql.fragment`${effectiveStatus} = 'firing'`];
    if (i.team) filters.push(sql.fragment`team = ${i.team}`);
    if (i.namespace) filters.push(sql.fragment`namespace = ${i.namespace}`);
    if (i.cluster) filters.push(sql.fragment`cluster = ${i.cluster}`);
    const rows = await ctx.deps.readPool.any(sql.type(firingRow)`
      SELECT case_id AS "caseId", alertname, severity, namespace, cluster, team,
        episode_started_at AS since, classification
      FROM cases WHERE ${sql.join(filters, sql.fragment` AND `)}
      ORDER BY episode_started_at DESC LIMIT ${i.limit + 1}`);
    const cut = rows.length > i.limit;
    const shown = rows.slice(0, i.limit);
    return {
      status: shown.length ? 'ok' : 'empty',
      summary: `${shown.length}${cut ? '+' : ''} firing`,
      result: { cases: shown, truncated: cut },
      citations: shown.map((r) => citeCase(r.caseId, r.alertname)),
    };
  },
};

const trendRow = z.object({ current: z.coerce.number(), previous: z.coerce.number() });
const trendTop = z.object({ alertname: z.string(), current: z.coerce.number(), previous: z.coerce.number() });
const trendInput = z.object({ hours });
export const trendsTool: ChatTool<z.infer<typeof trendInput>> = {
  name: 'trends',
  description: 'Alert episodes started in the last `hours` against the `hours` before, in all and per alert.',
  inputSchema: trendInput,
  request: (i) => `episodes started in the last ${i.hours}h vs the ${i.hours}h before`,
  async run(i, ctx) {
    const now = ctx.deps.now().getTime();
    const mid = new Date(now - i.hours * 3_600_000).toISOString();
    const start = new Date(now - 2 * i.hours * 3_600_000).toISOString();
    const totals = await ctx.deps.readPool.one(sql.type(trendRow)`
      SELECT count(*) FILTER (WHERE episode_started_at >= ${mid}) AS current,
        count(*) FILTER (WHERE episode_started_at >= ${start} AND episode_started_at < ${mid}) AS previous
      FROM cases WHERE episode_started_at >= ${start}`);
    const top = await ctx.deps.readPool.any(sql.type(trendTop)`
      SELECT alertname, count(*) FILTER (WHERE episode_started_at >= ${mid}) AS current,
        count(*) FILTER (WHERE episode_started_at < ${mid}) AS previous
      FROM cases WHERE episode_started_at >= ${start}
      GROUP BY alertname
      ORDER BY abs(count(*) FILTER (WHERE episode_started_at >= ${mid}) - count(*) FILTER (WHERE episode_started_at < ${mid})) DESC, alertname
      LIMIT 5`);
    return {
      status: totals.current + totals.previous ? 'ok' : 'empty',
      summary: `${totals.current} vs ${totals.previous}`,
      result: { ...totals, hours: i.hours, byAlert: top },
      citations: [citeQuery('trends', `cases by episode start, ${i.hours}h windows`, '/dashboard')],
    };
  },
};

const lookupRow = z.object({
  caseId: z.string(),
  alertname: z.string(),
  status: z.string(),
  namespace: z.string().nullable(),
  summary: z.string().nullable(),
  lastActivityAt: z.string(),
});
const lookupInput = z.object({
  query: z.string().trim().min(1).max(200),
  limit: z.number().int().min(1).max(20).default(5),
});
const likeEscape = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);
export const caseLookupTool: ChatTool<z.infer<typeof lookupInput>> = {
  name: 'case_lookup',
  description: 'Finds cases by id (or its start), alert name, namespace or target.',
  inputSchema: lookupInput,
  request: (i) => `cases matching ${JSON.stringify(i.query)}`,
  async run(i, ctx) {
    const like = `%${likeEscape(i.query)}%`;
    const rows = await ctx.deps.readPool.any(sql.type(lookupRow)`
      SELECT case_id AS "caseId", alertname, ${effectiveStatus} AS status, namespace, summary,
        last_activity_at AS "lastActivityAt"
      FROM cases
      WHERE case_id LIKE ${`${likeEscape(i.query)}%`} OR alertname ILIKE ${like} OR namespace = ${i.query}
        OR target ILIKE ${like}
      ORDER BY (case_id = ${i.query}) DESC, last_activity_at DESC LIMIT ${i.limit}`);
    return {
      status: rows.length ? 'ok' : 'empty',
      summary: `${rows.length} cases`,
      result: { cases: rows },
      citations: rows.map((r) => citeCase(r.caseId, r.alertname)),
    };
  },
};
