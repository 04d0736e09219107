// bench/memory: fills the case memory read model with 100,000 past cases, then times lookups of
// similar past incidents (findSimilar, the query the worker's memory step and chat run).
//   ./tarka bench memory [cases=100000] [lookups=1000]
// Filling: synthetic case histories (fired, investigated with a report, resolved, most closed with
// a note, some firing again) are generated as events in this process and applied by the memory
// projection itself (its apply, batched as the projector batches) to the live generation; no
// JetStream round trip, so the rows are what the projector writes, at Postgres speed.
import { join } from 'node:path';
import { fmt, freshEnv, pct, root } from './lib.mjs';

const cases = Number(process.argv[2] ?? 100_000);
const lookups = Number(process.argv[3] ?? 1000);
const env = freshEnv();
const load = (p) => import(join(root, 'dist', p));
const { loadConfig } = await load('shared/config.js');
const { pgSettings, createPool, ensureDatabase } = await load('db/postgres.js');
const { createReadPool } = await load('db/read-pool.js');
const { migrate } = await load('db/migrations.js');
const { activeGeneration } = await load('projections/engine/generations.js');
const { physicalTables } = await load('projections/engine/projection.js');
const { memoryProjection } = await load('projections/memory/projection.js');
const { featuresFromLabels, featuresFromReport } = await load('projections/memory/features.js');
const { findSimilar, similarQuery } = await load('memory/find-similar.js');

const config = loadConfig(env);
const settings = pgSettings(config);
await ensureDatabase(settings);
const pool = createPool(settings, 4);
await migrate(pool);
const client = await pool.connect();
const { generation } = await activeGeneration(client, memoryProjection);
client.release();
const tables = physicalTables(memoryProjection, generation);

// A small deterministic PRNG, so runs compare.
let seed = 42;
const rand = () => {
  seed = (seed + 0x6d2b79f5) >>> 0;
  let t = seed;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};
const pick = (xs) => xs[Math.floor(rand() * xs.length)];
// Skewed like real fleets: a few workloads and alerts account for most incidents.
const skewed = (n) => Math.floor(n * rand() ** 2.5);

const ALERTS = Array.from({ length: 40 }, (_, i) => `Alert${i}`).concat([
  'KubePodCrashLooping',
  'KubePodNotReady',
  'HTTP5xxRateHigh',
  'CPUThrottlingHigh',
  'KubeJobFailed',
]);
const FAMILIES = [
  'crashloop',
  'oom_killed',
  'cpu_throttling',
  'http_5xx',
  'pod_not_healthy',
  'job_failed',
  'generic',
];
const SIGNATURES = [
  'connection_refused',
  'dns_failure',
  'auth_denied',
  'missing_config',
  'tls_error',
  'out_of_memory',
  'port_in_use',
  'disk_full',
  'timeout',
  'db_schema',
  'probe_failure',
  'null_reference',
  'image_pull',
];
const WORDS = [
  'connect',
  'payments-db',
  'timeout',
  'refused',
  'retry',
  'cache',
  'redis',
  'token',
  'expired',
  'null',
  'pointer',
  'schema',
  'migration',
  'heap',
  'memory',
  'queue',
  'kafka',
  'broker',
  'tls',
  'handshake',
];
const pattern = () => `ERROR ${Array.from({ length: 6 }, () => pick(WORDS)).join(' ')} <n>`;

function subject(i) {
  const w = skewed(3000);
  const ns = `ns-${w % 200}`;
  const workload = `svc-${w}`;
  const labels = {
    alertname: ALERTS[skewed(ALERTS.length)],
    namespace: ns,
    deployment: workload,
    cluster: `prod-${i % 4}`,
    ...(rand() < 0.5 ? { service: workload } : {}),
  };
  const family = FAMILIES[(w + skewed(3)) % FAMILIES.length];
  const sigs = rand() < 0.6 ? [pick(SIGNATURES), ...(rand() < 0.3 ? [pick(SIGNATURES)] : [])] : [];
  const report = {
    family,
    classification: 'actionable',
    summary: `${family} on Deployment ${ns}/${workload}: ${pick(WORDS)} ${pick(WORDS)} [actionable]`,
    familyDetail: { preliminary: family, subReason: null, reasons: [] },
    target: {
      kind: 'workload',
      name: workload,
      display: `Deployment ${ns}/${workload}`,
      namespace: ns,
      workload: { kind: 'Deployment', name: workload, source: 'label' },
      service: labels.service ?? null,
      cluster: labels.cluster,
    },
    logFindings: {
      known: true,
      signatures: sigs.map((id) => ({ id })),
      patterns: Array.from({ length: 1 + Math.floor(rand() * 3) }, () => ({ pattern: pattern() })),
      stackTraces: [],
    },
    changes: {
      known: true,
      items: rand() < 0.3 ? [{ precedesAlert: true, imageChanged: rand() < 0.6 }] : [],
    },
  };
  return { labels, report };
}

const at = (ms) => new Date(Date.UTC(2025, 0, 1) + ms).toISOString();
let seq = 0;
const rec = (caseId, type, data, occurredAt) => ({
  id: `e${++seq}`,
  type,
  schema: 1,
  aggregate: `case.${caseId}`,
  occurredAt,
  causationId: null,
  correlationId: null,
  data,
  seq,
  index: 0,
});

/** One case's events: one to three episodes, each investigated, resolved and mostly closed. */
function* history(i) {
  const id = `m${i.toString(16).padStart(7, '0')}`;
  const { labels, report } = subject(i);
  const episodes = rand() < 0.8 ? 1 : 1 + Math.ceil(rand() * 2);
  let t = i * 300_000;
  for (let e = 1; e <= episodes; e++) {
    const startsAt = at(t);
    const inv = `${id}-${e}`;
    const n = { receiver: 'tarka', groupKey: null, truncatedAlerts: 0, reason: null };
    yield rec(
      id,
      'AlertFired',
      { fingerprint: id, episode: e, startsAt, labels, annotations: {}, generatorURL: null, notification: n },
      startsAt,
    );
    yield rec(
      id,
      'InvestigationRequested',
      { investigationId: inv, episode: e, reason: 'new_episode', anchor: startsAt, requestedBy: null },
      startsAt,
    );
    yield rec(
      id,
      'InvestigationCompleted',
      { investigationId: inv, anchor: startsAt, report },
      at(t + 60_000),
    );
    const end = t + (5 + Math.floor(rand() * 240)) * 60_000;
    yield rec(id, 'AlertResolved', { fingerprint: id, episode: e, startsAt, endsAt: at(end) }, at(end));
    if (rand() < 0.7)
      yield rec(
        id,
        'CaseResolved',
        {
          category: pick(['fixed', 'mitigated', 'noise', 'expected']),
          note: `${pick(WORDS)} ${pick(WORDS)} fixed by rollback`,
          by: 'oncall@example.com',
        },
        at(end + 60_000),
      );
    t = end + 3_600_000 * (1 + Math.floor(rand() * 48));
  }
}

console.log(`filling case memory with ${fmt(cases)} past cases ...`);
const t0 = performance.now();
let events = 0;
const CHUNK = 2000;
for (let from = 0; from < cases; from += CHUNK) {
  const batch = [];
  for (let i = from; i < Math.min(cases, from + CHUNK); i++) batch.push(...history(i));
  const c = await pool.connect();
  try {
    await c.query('BEGIN');
    await memoryProjection.apply(c, batch, tables);
    await c.query('COMMIT');
  } finally {
    c.release();
  }
  events += batch.length;
}
for (const t of Object.values(tables)) await pool.query(`ANALYZE ${t}`);
const rows = Number((await pool.query('SELECT count(*) AS n FROM case_memory')).rows[0].n);
const fillSecs = (performance.now() - t0) / 1000;
console.log(
  `filled ${fmt(rows)} episode rows from ${fmt(events)} events in ${fillSecs.toFixed(1)} s (${fmt(events / fillSecs)} events/s through the projection's apply)`,
);

const readPool = await createReadPool(settings);
const subjects = Array.from({ length: lookups }, (_, i) => {
  const { labels, report } = subject(cases + i);
  return featuresFromReport(featuresFromLabels(labels), report);
});
async function time(label, run) {
  for (let i = 0; i < 200; i++) await run(i % lookups); // warm-up: plans and caches
  const ms = [];
  let found = 0;
  for (let i = 0; i < lookups; i++) {
    const s = performance.now();
    found += await run(i);
    ms.push(performance.now() - s);
  }
  ms.sort((a, b) => a - b);
  const f = (v) => v.toFixed(1);
  console.log(
    `${label}: ${lookups} lookups, p50 ${f(pct(ms, 50))} ms, p95 ${f(pct(ms, 95))} ms, p99 ${f(pct(ms, 99))} ms, max ${f(ms.at(-1))} ms; ${(found / lookups).toFixed(1)} matches each (target p95 < 50 ms)`,
  );
}
const { trigram } = await findSimilar(readPool, subjects[0]);
await time(
  `findSimilar by features (${trigram ? 'pg_trgm' : 'full-text'} log similarity)`,
  async (i) => (await findSimilar(readPool, subjects[i], { limit: 5 })).matches.length,
);
await time(
  'findSimilar by case id',
  async () =>
    (
      await findSimilar(
        readPool,
        `m${Math.floor(rand() * cases)
          .toString(16)
          .padStart(7, '0')}`,
        { limit: 5 },
      )
    ).matches.length,
);
if (trigram)
  await time(
    'full-text fallback (as without pg_trgm)',
    async (i) => (await readPool.any(similarQuery(subjects[i], { limit: 5 }, false))).length,
  );

await readPool.end();
await pool.end();
const pg = (await import('pg')).default;
const admin = new pg.Client({ ...settings, database: 'postgres' });
await admin.connect();
// KEEP_DB=1 leaves the database for EXPLAIN ANALYZE by hand.
if (process.env.KEEP_DB === '1') console.log(`kept database ${env.POSTGRES_DB}`);
else await admin.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(env.POSTGRES_DB)} WITH (FORCE)`);
await admin.end();
