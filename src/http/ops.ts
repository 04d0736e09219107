import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import type { NatsConnection } from 'nats';
import type pg from 'pg';
import type { EventStore } from '../events/event-store.js';
import { scrubSecrets } from '../shared/secret-url.js';
import type { DatabaseHealth } from './deps.js';
import type { Metrics } from './metrics.js';

const within = <T>(p: Promise<T>, ms: number) =>
  Promise.race([
    p,
    new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`no answer in ${ms} ms`)), ms)),
  ]);

type OpsDeps = {
  nc?: NatsConnection;
  pool: pg.Pool;
  store: EventStore;
  metrics: Metrics;
  database?: DatabaseHealth;
  /** METRICS_TOKEN: when set, /metrics answers only `Authorization: Bearer <token>`. */
  config?: { METRICS_TOKEN?: string | undefined };
};

const digest = (s: string) => createHash('sha256').update(s).digest();

/** The ops scope, served by every process: no browser guards, no proxy auth (kubelets, Prometheus). */
export const opsScope =
  (deps: OpsDeps): FastifyPluginAsync =>
  async (scope) =>
    opsRoutes(scope, deps);

/**
 * Liveness, readiness and Prometheus metrics. Ready means NATS is reachable, and Postgres too where
 * the process needs it (`database.need`); where it does not (serve: ingest needs only NATS), the
 * body still reports Postgres.
 */
function opsRoutes(app: FastifyInstance, deps: OpsDeps) {
  app.get('/health', async () => ({ status: 'ok' }));

  app.get('/ready', async (_req, reply) => {
    const check = async (f: () => Promise<unknown>) =>
      within(f(), 2000).then(
        () => 'ok',
        (e: Error) => `down: ${scrubSecrets(e.message)}`,
      );
    const [nats, postgres] = await Promise.all([
      check(async () => {
        if (!deps.nc) return;
        if (deps.nc.isClosed()) throw new Error('connection closed');
        await deps.nc.rtt();
      }),
      check(async () => {
        if (deps.database?.problem) throw new Error(`not set up: ${deps.database.problem}`);
        await deps.pool.query('SELECT 1');
      }),
    ]);
    const ready = nats === 'ok' && (postgres === 'ok' || deps.database?.need === 'optional');
    if (!ready) reply.status(503).header('Retry-After', '5');
    return { status: ready ? 'ready' : 'not ready', nats, postgres };
  });

  const token = deps.config?.METRICS_TOKEN ? digest(`Bearer ${deps.config.METRICS_TOKEN}`) : null;
  app.get('/metrics', async (req, reply) => {
    // Compared as digests: the same time whatever was sent.
    if (token && !timingSafeEqual(digest(String(req.headers.authorization ?? '')), token)) {
      return reply.status(401).header('WWW-Authenticate', 'Bearer').send({
        code: 'TARKA_UNAUTHORIZED',
        message: '/metrics needs METRICS_TOKEN',
        hint: 'set bearer_token in the scrape config',
      });
    }
    // A frozen Postgres must not hold the scrape: the process's own metrics still answer.
    await within(collectProjectorLag(deps), 2000).catch(() => undefined);
    await within(collectSetAside(deps), 2000).catch(() => undefined);
    reply.header('Content-Type', deps.metrics.registry.contentType);
    return deps.metrics.registry.metrics();
  });
}

/** Lag of every projector, from its committed checkpoint and the stream head (any process can tell). */
async function collectProjectorLag(deps: { pool: pg.Pool; store: EventStore; metrics: Metrics }) {
  const [head, { rows }] = await Promise.all([
    deps.store.headSeq(),
    deps.pool.query<{ name: string; position: string; age: number }>(
      `SELECT c.name, c.position, EXTRACT(EPOCH FROM now() - c.updated_at)::float8 AS age
       FROM projection_checkpoints c JOIN projections p ON p.name = c.name AND p.active_generation = c.generation`,
    ),
  ]);
  for (const r of rows) {
    const behind = Math.max(0, head - Number(r.position));
    deps.metrics.projectorLagEvents.set({ projector: r.name }, behind);
    deps.metrics.projectorLagSeconds.set({ projector: r.name }, behind > 0 ? r.age : 0);
  }
}

/** Messages set aside per projector (active generation), from Postgres, so any process can tell. */
async function collectSetAside(deps: { pool: pg.Pool; metrics: Metrics }) {
  const { rows } = await deps.pool.query<{ name: string; n: number }>(
    `SELECT p.name, count(s.seq)::int AS n FROM projections p
     LEFT JOIN projection_set_aside s ON s.projector = p.name AND s.generation = p.active_generation
     GROUP BY p.name`,
  );
  for (const r of rows) deps.metrics.projectorSetAsideNow.set({ projector: r.name }, r.n);
}
