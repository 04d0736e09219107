import { sql, type DatabasePool } from 'slonik';
import { z } from 'zod';
import type { MemoryFeature, MemoryMatch } from '../contract/report.js';
import type { MemoryFeatures } from '../projections/memory/features.js';
import { episodeKey, MEMORY_VIEW, SIGNATURES_VIEW } from '../projections/memory/schema.js';
import { MIN_SCORE, MIN_TEXT_SIMILARITY, WEIGHTS } from './weights.js';

// Similar past incidents, ranked in Postgres by an explainable score: the sum of the weights of
// the features a past episode shares with this one (log and summary similarity scale theirs).
// Candidates come from one index per key (the newest episodes with the same workload, service,
// alert or log signature), so the cost does not grow with the number of past cases.

export interface FindOptions {
  limit?: number;
  /** Leaves out every episode of this case. */
  excludeCaseId?: string;
  /** Leaves out one episode (the one being investigated); earlier ones of its case still count. */
  excludeEpisode?: { caseId: string; episode: number };
  minScore?: number;
}

export interface SimilarResult {
  /** What was compared: given, or the case's newest episode; null when the case is not known. */
  features: MemoryFeatures | null;
  matches: MemoryMatch[];
  /** Logs compared by pg_trgm similarity (else by shared full-text lexemes). */
  trigram: boolean;
}

/** Newest episodes read per candidate key; bounds the work of one lookup. */
const PER_KEY = 100;
/** Most episodes whose text is compared (after the exact features ranked them). */
const KEEP = 200;
const TEXT_WEIGHT = WEIGHTS.similar_logs + WEIGHTS.similar_summary;

const trigramByPool = new WeakMap<DatabasePool, Promise<boolean>>();

/** Whether pg_trgm is installed in this database (asked once per pool). */
export function hasTrigram(pool: DatabasePool): Promise<boolean> {
  let known = trigramByPool.get(pool);
  if (!known) {
    known = pool
      .oneFirst(
        sql.type(
          z.object({ ok: z.boolean() }),
        )`SELECT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm') AS ok`,
      )
      .catch((e: unknown) => {
        trigramByPool.delete(pool);
        throw e;
      });
    trigramByPool.set(pool, known);
  }
  return known;
}

const view = sql.identifier([MEMORY_VIEW]);
const signaturesView = sql.identifier([SIGNATURES_VIEW]);

const featureRow = z.object({
  alertname: z.string(),
  cluster: z.string().nullable(),
  namespace: z.string().nullable(),
  workloadKey: z.string().nullable(),
  serviceKey: z.string().nullable(),
  family: z.string().nullable(),
  familyDetail: z.string().nullable(),
  targetKind: z.string().nullable(),
  target: z.string().nullable(),
  signatures: z.array(z.string()),
  logText: z.string().nullable(),
  changePattern: z.enum(['image_rollout', 'config_rollout', 'no_change']).nullable(),
  summary: z.string().nullable(),
  caseId: z.string(),
  episode: z.number(),
});

/** The features of a case's newest episode, as the memory read model has them. */
async function caseFeatures(pool: DatabasePool, caseId: string) {
  return pool.maybeOne(sql.type(featureRow)`
    SELECT alertname, cluster, namespace, workload_key AS "workloadKey", service_key AS "serviceKey",
      family, family_detail AS "familyDetail", target_kind AS "targetKind", target, signatures,
      log_text AS "logText", change_pattern AS "changePattern", summary, case_id AS "caseId", episode
    FROM ${view} WHERE case_id = ${caseId} ORDER BY episode DESC LIMIT 1`);
}

const matchRow = z.object({
  caseId: z.string(),
  episode: z.number(),
  alertname: z.string(),
  target: z.string().nullable(),
  cluster: z.string().nullable(),
  namespace: z.string().nullable(),
  workloadKey: z.string().nullable(),
  serviceKey: z.string().nullable(),
  family: z.string().nullable(),
  familyDetail: z.string().nullable(),
  changePattern: z.string().nullable(),
  startedAt: z.string(),
  summary: z.string().nullable(),
  sharedSignatures: z.array(z.string()),
  logSimilarity: z.number().nullable(),
  summarySimilarity: z.number().nullable(),
  pWorkload: z.number(),
  pService: z.number(),
  pAlert: z.number(),
  pFamily: z.number(),
  pSignature: z.number(),
  pLogs: z.number(),
  pChange: z.number(),
  pSummary: z.number(),
  score: z.number(),
  category: z.string().nullable(),
  note: z.string().nullable(),
  by: z.string().nullable(),
  closedAt: z.string().nullable(),
  minutesToResolve: z.number().nullable(),
  firedAgainAt: z.string().nullable(),
});
export type MatchRow = z.infer<typeof matchRow>;

/** Past episodes most like a case's newest episode (or like the features given), best first. */
export async function findSimilar(
  pool: DatabasePool,
  subject: string | MemoryFeatures,
  options: FindOptions = {},
): Promise<SimilarResult> {
  const trigram = await hasTrigram(pool);
  let features: MemoryFeatures;
  let exclude = options.excludeEpisode;
  if (typeof subject === 'string') {
    const row = await caseFeatures(pool, subject);
    if (!row) return { features: null, matches: [], trigram };
    const { caseId, episode, ...f } = row;
    features = f;
    exclude ??= { caseId, episode };
  } else features = subject;
  const rows = await pool.any(similarQuery(features, { ...options, excludeEpisode: exclude }, trigram));
  return { features, matches: rows.map((r) => explain(r, features)), trigram };
}

/** Similarity (0–1) of a past episode's log text or summary with this one's. */
const textSimilarity = (trigram: boolean, column: 'log' | 'summary', value: string | null) => {
  if (value === null) return sql.fragment`NULL::float8`;
  const [text, lexemes] =
    column === 'log'
      ? [sql.fragment`k.log_text`, sql.fragment`k.log_lexemes`]
      : [sql.fragment`k.summary`, sql.fragment`k.summary_lexemes`];
  if (trigram) return sql.fragment`similarity(${text}, ${value})::float8`;
  // Without pg_trgm: the share of full-text lexemes the two texts have in common (Jaccard).
  return sql.fragment`CASE WHEN ${text} IS NULL THEN NULL ELSE (
    SELECT count(*) FILTER (WHERE a AND b)::float8 / NULLIF(count(*), 0) FROM (
      SELECT bool_or(s = 1) AS a, bool_or(s = 2) AS b FROM (
        SELECT unnest(tsvector_to_array(${lexemes})) AS l, 1 AS s
        UNION ALL SELECT unnest(tsvector_to_array(to_tsvector('english'::regconfig, ${value}))), 2
      ) u GROUP BY l) g) END`;
};

/** The ranking query: candidates by key, each feature's points, the resolution. */
export function similarQuery(f: MemoryFeatures, options: FindOptions, trigram: boolean) {
  const limit = Math.max(1, Math.min(options.limit ?? 5, 50));
  const minScore = options.minScore ?? MIN_SCORE;
  const sources = [];
  const newest = (where: ReturnType<typeof sql.fragment>) =>
    sql.fragment`(SELECT episode_key FROM ${view} WHERE ${where} ORDER BY started_at DESC LIMIT ${PER_KEY})`;
  if (f.workloadKey) sources.push(newest(sql.fragment`workload_key = ${f.workloadKey}`));
  if (f.serviceKey) sources.push(newest(sql.fragment`service_key = ${f.serviceKey}`));
  if (f.alertname) sources.push(newest(sql.fragment`alertname = ${f.alertname}`));
  if (f.signatures.length)
    sources.push(sql.fragment`(SELECT n.episode_key FROM unnest(${sql.array(f.signatures, 'text')}) q(signature)
      CROSS JOIN LATERAL (SELECT episode_key FROM ${signaturesView} s WHERE s.signature = q.signature
        ORDER BY started_at DESC LIMIT ${PER_KEY}) n)`);
  if (sources.length === 0) sources.push(sql.fragment`(SELECT NULL::text WHERE FALSE)`);

  const excluded = [sql.fragment`FALSE`];
  if (options.excludeCaseId) excluded.push(sql.fragment`m.case_id = ${options.excludeCaseId}`);
  if (options.excludeEpisode)
    excluded.push(
      sql.fragment`m.episode_key = ${episodeKey(options.excludeEpisode.caseId, options.excludeEpisode.episode)}`,
    );
  const sigs = sql.array(f.signatures, 'text');
  const W = WEIGHTS;
  const pts = (on: ReturnType<typeof sql.fragment>, weight: number) =>
    sql.fragment`CASE WHEN ${on} THEN ${weight}::float8 ELSE 0 END`;
  const scaled = (sim: ReturnType<typeof sql.fragment>, weight: number) =>
    sql.fragment`CASE WHEN ${sim} >= ${MIN_TEXT_SIMILARITY} THEN round((${weight} * ${sim})::numeric, 1)::float8 ELSE 0 END`;

  return sql.type(matchRow)`
    WITH candidates AS (${sql.join(sources, sql.fragment` UNION `)}),
    compared AS (
      SELECT m.*,
        ARRAY(SELECT unnest(m.signatures) INTERSECT SELECT unnest(${sigs}::text[]) ORDER BY 1) AS shared
      FROM candidates c JOIN ${view} m USING (episode_key)
      WHERE NOT (${sql.join(excluded, sql.fragment` OR `)})
    ),
    structured AS (
      SELECT c.*,
        ${pts(sql.fragment`c.workload_key = ${f.workloadKey ?? ''}`, W.same_workload)} AS p_workload,
        ${pts(sql.fragment`c.service_key = ${f.serviceKey ?? ''}`, W.same_service)} AS p_service,
        ${pts(sql.fragment`c.alertname = ${f.alertname}`, W.same_alert)} AS p_alert,
        ${pts(sql.fragment`c.family = ${f.family ?? ''}`, W.same_family)} AS p_family,
        ${pts(sql.fragment`cardinality(c.shared) > 0`, W.same_log_signature)} AS p_signature,
        ${pts(sql.fragment`c.change_pattern = ${f.changePattern ?? ''} AND c.change_pattern <> 'no_change'`, W.same_change_pattern)} AS p_change
      FROM compared c
    ),
    summed AS (
      SELECT s.*, (p_workload + p_service + p_alert + p_family + p_signature + p_change) AS exact
      FROM structured s
    ),
    -- Text similarity is the costly part: compare only the episodes that can still reach the
    -- top with its points added (exact points + the text weights >= the limit-th best exact).
    bar AS (SELECT exact FROM summed ORDER BY exact DESC OFFSET ${limit - 1} LIMIT 1),
    kept AS (
      SELECT * FROM summed
      WHERE exact + ${TEXT_WEIGHT} >= GREATEST(${minScore}, coalesce((SELECT exact FROM bar), 0))
      ORDER BY exact DESC, started_at DESC LIMIT ${KEEP}
    ),
    ranked AS (
      SELECT k.*, p_logs, p_summary, log_sim, summary_sim, exact + p_logs + p_summary AS score
      FROM kept k,
        LATERAL (SELECT ${textSimilarity(trigram, 'log', f.logText)} AS log_sim,
          ${textSimilarity(trigram, 'summary', f.summary)} AS summary_sim) t,
        LATERAL (SELECT ${scaled(sql.fragment`coalesce(t.log_sim, 0)`, W.similar_logs)} AS p_logs,
          ${scaled(sql.fragment`coalesce(t.summary_sim, 0)`, W.similar_summary)} AS p_summary) p
    ),
    top AS (
      SELECT * FROM ranked WHERE score >= ${minScore}
      ORDER BY score DESC, started_at DESC, episode_key LIMIT ${limit}
    )
    SELECT r.case_id AS "caseId", r.episode, r.alertname, r.target, r.cluster, r.namespace,
      r.workload_key AS "workloadKey", r.service_key AS "serviceKey", r.family,
      r.family_detail AS "familyDetail", r.change_pattern AS "changePattern",
      r.started_at AS "startedAt", r.summary, r.shared AS "sharedSignatures",
      r.log_sim AS "logSimilarity", r.summary_sim AS "summarySimilarity",
      r.p_workload AS "pWorkload", r.p_service AS "pService", r.p_alert AS "pAlert",
      r.p_family AS "pFamily", r.p_signature AS "pSignature", r.p_logs AS "pLogs",
      r.p_change AS "pChange", r.p_summary AS "pSummary", r.score,
      r.closed_category AS category, r.closed_note AS note, r.closed_by AS by, r.closed_at AS "closedAt",
      round((extract(epoch FROM coalesce(r.closed_at, r.alert_resolved_at) - r.started_at) / 60)::numeric, 1)::float8
        AS "minutesToResolve",
      -- Fired again: this case's next episode, or any later episode of the same workload after it ended.
      LEAST(r.fired_again_at, (
        SELECT min(o.started_at) FROM ${view} o
        WHERE r.workload_key IS NOT NULL AND o.workload_key = r.workload_key
          AND o.started_at > coalesce(r.closed_at, r.alert_resolved_at, r.started_at)
          AND o.episode_key <> r.episode_key)) AS "firedAgainAt"
    FROM top r
    ORDER BY r.score DESC, r.started_at DESC, r.episode_key`;
}

const CHANGE_TEXT: Record<string, string> = {
  image_rollout: 'a rollout that changed the image',
  config_rollout: 'a rollout without an image change (configuration)',
};

const cut = (v: string | null, n: number) => (v === null ? null : v.length > n ? `${v.slice(0, n - 1)}…` : v);
const pct = (v: number | null) => `${Math.round((v ?? 0) * 100)}%`;

/** A ranked row as a match: the features it shares, with weights, points and why; its resolution. */
export function explain(r: MatchRow, f: MemoryFeatures): MemoryMatch {
  const features: MemoryMatch['features'] = [];
  const add = (feature: MemoryFeature, points: number, detail: string) => {
    if (points > 0) features.push({ feature, weight: WEIGHTS[feature], points, detail: cut(detail, 300)! });
  };
  add('same_workload', r.pWorkload, `same workload ${r.workloadKey ?? ''}`);
  add('same_service', r.pService, `same service ${r.serviceKey ?? ''}`);
  add(
    'same_alert',
    r.pAlert,
    r.cluster !== f.cluster && (r.cluster || f.cluster)
      ? `same alert ${r.alertname} in another cluster (${r.cluster ?? 'none'}, this one ${f.cluster ?? 'none'})`
      : `same alert ${r.alertname}`,
  );
  add(
    'same_family',
    r.pFamily,
    `same family ${r.family ?? ''}${r.familyDetail && r.familyDetail === f.familyDetail ? ` (${r.familyDetail})` : ''}`,
  );
  add('same_log_signature', r.pSignature, `same log signature: ${r.sharedSignatures.join(', ')}`);
  add('similar_logs', r.pLogs, `log patterns ${pct(r.logSimilarity)} similar`);
  add(
    'same_change_pattern',
    r.pChange,
    `also preceded by ${CHANGE_TEXT[r.changePattern ?? ''] ?? r.changePattern}`,
  );
  add('similar_summary', r.pSummary, `summary ${pct(r.summarySimilarity)} similar`);
  return {
    caseId: r.caseId,
    episode: r.episode,
    alertname: cut(r.alertname, 200)!,
    target: cut(r.target, 400),
    cluster: cut(r.cluster, 200),
    namespace: cut(r.namespace, 200),
    family: cut(r.family, 60),
    startedAt: r.startedAt,
    summary: cut(r.summary, 300),
    score: Math.min(100, Math.round(r.score * 10) / 10),
    features,
    resolution: {
      category: cut(r.category, 60),
      note: cut(r.note, 1000),
      by: cut(r.by, 200),
      closedAt: r.closedAt,
      minutesToResolve: r.minutesToResolve === null ? null : Math.max(0, r.minutesToResolve),
      firedAgain: r.firedAgainAt !== null,
      firedAgainAt: r.firedAgainAt,
    },
  };
}
