import { sql, type DatabasePool } from 'slonik';
import { z } from 'zod';
import type { Dashboard, Facets } from '../../contract/views.js';
import { effectiveStatus } from './queries.js';

// The console's dashboard and filter choices: aggregates over the cases read model.

const n = z.coerce.number();
const perDayRow = z.object({ day: z.string(), family: z.string(), classification: z.string(), n });
const noisyRow = z.object({
  alertname: z.string(),
  episodes: n,
  cases: n,
  noisy: n,
  closedAsNoise: n,
  avgNoise: n.nullable(),
});
const timingRow = z.object({ count: n, p50: n.nullable(), p95: n.nullable() });
const statusRow = z.object({ status: z.string(), n });
const teamRow = z.object({ team: z.string(), total: n, open: n, actionable: n });

/** UTC days from `from` to today, so days without alerts show as zero rather than vanish. */
function dayList(from: Date, days: number): string[] {
  return Array.from({ length: days }, (_, i) =>
    new Date(from.getTime() + i * 86_400_000).toISOString().slice(0, 10),
  );
}

export async function dashboard(pool: DatabasePool, days: number): Promise<Dashboard> {
  const today = new Date(new Date().toISOString().slice(0, 10) + 'T00:00:00Z');
  const from = new Date(today.getTime() - (days - 1) * 86_400_000);
  const fromIso = from.toISOString();
  const [perDay, noisiest, timing, statuses, teams] = await Promise.all([
    // One investigation per alert episode (reruns left out): "cases over time".
    pool.any(sql.type(perDayRow)`
      SELECT to_char(requested_at AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS day,
        COALESCE(family, CASE WHEN state = 'failed' THEN 'failed' ELSE 'pending' END) AS family,
        COALESCE(classification, CASE WHEN state = 'failed' THEN 'failed' ELSE 'pending' END) AS classification,
        count(*) AS n
      FROM investigations WHERE reason = 'new_episode' AND requested_at >= ${fromIso}
      GROUP BY 1, 2, 3`),
    pool.any(sql.type(noisyRow)`
      SELECT c.alertname, count(*) AS episodes, count(DISTINCT i.case_id) AS cases,
        count(*) FILTER (WHERE i.classification IN ('noisy', 'artifact')) AS noisy,
        count(DISTINCT i.case_id) FILTER (WHERE c.closed_category IN ('noise', 'false_positive')) AS "closedAsNoise",
        round(avg(c.noise)) AS "avgNoise"
      FROM investigations i JOIN cases c ON c.case_id = i.case_id
      WHERE i.reason = 'new_episode' AND i.requested_at >= ${fromIso}
      GROUP BY c.alertname ORDER BY episodes DESC, c.alertname LIMIT 10`),
    // From the alert's start (known for a case's latest episode) to its report; older episodes
    // count from when Tarka received them.
    pool.one(sql.type(timingRow)`
      SELECT count(*) AS count,
        percentile_cont(0.5) WITHIN GROUP (ORDER BY ms) AS p50,
        percentile_cont(0.95) WITHIN GROUP (ORDER BY ms) AS p95
      FROM (
        SELECT GREATEST(0, EXTRACT(EPOCH FROM i.finished_at - CASE WHEN i.episode = c.episode_count
          THEN c.episode_started_at ELSE i.requested_at END) * 1000) AS ms
        FROM investigations i JOIN cases c ON c.case_id = i.case_id
        WHERE i.state = 'completed' AND i.reason = 'new_episode' AND i.finished_at >= ${fromIso}
      ) t`),
    pool.any(sql.type(statusRow)`
      SELECT ${effectiveStatus} AS status, count(*) AS n FROM cases
      WHERE last_activity_at >= ${fromIso} GROUP BY 1`),
    pool.any(sql.type(teamRow)`
      SELECT COALESCE(team, '') AS team, count(*) AS total,
        count(*) FILTER (WHERE ${effectiveStatus} = 'firing') AS open,
        count(*) FILTER (WHERE classification = 'actionable') AS actionable
      FROM cases WHERE last_activity_at >= ${fromIso}
      GROUP BY 1 ORDER BY total DESC, 1 LIMIT 15`),
  ]);

  const byDay = new Map(
    dayList(from, days).map((day) => [
      day,
      {
        day,
        total: 0,
        byFamily: {} as Record<string, number>,
        byClassification: {} as Record<string, number>,
      },
    ]),
  );
  for (const r of perDay) {
    const d = byDay.get(r.day);
    if (!d) continue;
    d.total += r.n;
    d.byFamily[r.family] = (d.byFamily[r.family] ?? 0) + r.n;
    d.byClassification[r.classification] = (d.byClassification[r.classification] ?? 0) + r.n;
  }
  const status = { open: 0, snoozed: 0, resolved: 0, closed: 0 };
  for (const s of statuses) {
    const key = s.status === 'firing' ? 'open' : (s.status as keyof typeof status);
    if (key in status) status[key] += s.n;
  }
  return {
    days,
    from: fromIso,
    perDay: [...byDay.values()],
    noisiest: [...noisiest],
    timeToReport: { count: timing.count, p50Ms: timing.p50, p95Ms: timing.p95 },
    status,
    byTeam: teams.map((t) => ({ ...t, team: t.team || null })),
  };
}

const facetRow = z.object({ kind: z.string(), value: z.string() });

/** Values the filters can offer (teams, severities, namespaces, clusters), most common first. */
export async function facets(pool: DatabasePool): Promise<Facets> {
  const rows = await pool.any(sql.type(facetRow)`
    SELECT kind, value FROM (
      SELECT kind, value, row_number() OVER (PARTITION BY kind ORDER BY count(*) DESC, value) AS rank
      FROM cases, LATERAL (VALUES ('team', team), ('severity', severity), ('namespace', namespace),
        ('cluster', cluster)) AS v(kind, value)
      WHERE value IS NOT NULL
      GROUP BY kind, value
    ) t WHERE rank <= 100 ORDER BY kind, rank`);
  const out: Facets & Record<string, string[]> = { team: [], severity: [], namespace: [], cluster: [] };
  for (const r of rows) out[r.kind]?.push(r.value);
  return out;
}
