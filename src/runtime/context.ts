import type { NatsConnection } from 'nats';
import type pg from 'pg';
import type { DatabasePool } from 'slonik';
import { CaseCommandHandler } from '../commands/case/handler.js';
import { JetStreamEventStore } from '../nats/jetstream-event-store.js';
import { ensureWorkQueue } from '../nats/jetstream-setup.js';
import { retryJetStreamSetup } from '../nats/jetstream-retry.js';
import type { EventStore } from '../events/event-store.js';
import { createMetrics, InstrumentedStore, type Metrics } from '../http/metrics.js';
import { pgSettings } from '../db/postgres.js';
import { createReadPool } from '../db/read-pool.js';
import type { Config } from '../shared/config.js';
import type { Logger } from '../shared/log.js';
import { connectEventLog } from './connections.js';
import { openDatabase, type DatabaseStatus, type PostgresNeed } from './database.js';

export { withoutCredentials } from './connections.js';

/** Everything a Tarka process talks to, connected and checked. */
export interface Context {
  config: Config;
  log: Logger;
  nc: NatsConnection;
  store: EventStore;
  handler: CaseCommandHandler;
  pool: pg.Pool;
  readPool: DatabasePool;
  /** Whether the database is set up; /ready and the read pool ask it. */
  database: DatabaseStatus;
  metrics: Metrics;
  close(): Promise<void>;
}

/**
 * Connects what a process needs. With `postgres: 'optional'` (serve, worker: they take alerts and
 * investigate through NATS alone) it also starts while Postgres is down, and recovers by itself.
 */
export async function createContext(
  config: Config,
  log: Logger,
  name: string,
  options: { postgres?: PostgresNeed } = {},
): Promise<Context> {
  const { nc, jsm, connected } = await connectEventLog(config, log, name);
  await retryJetStreamSetup(
    'job queue check',
    () =>
      ensureWorkQueue(jsm, {
        name: config.JETSTREAM_STREAM,
        subject: config.JETSTREAM_SUBJECT,
        replicas: config.NATS_REPLICAS,
        duplicateWindowSeconds: config.JETSTREAM_DUPLICATE_WINDOW_SECONDS,
        maxJobs: config.JETSTREAM_MAX_JOBS,
        maxBytes: config.JETSTREAM_MAX_BYTES,
      }),
    log,
  );
  const metrics = createMetrics();
  const store = new InstrumentedStore(
    new JetStreamEventStore(nc, jsm, {
      stream: config.EVENTS_STREAM,
      subjectPrefix: config.EVENTS_SUBJECT_PREFIX,
      connected,
    }),
    metrics,
  );
  const { pool, status: database } = await openDatabase(config, log, options.postgres ?? 'required');
  const readPool = await createReadPool(pgSettings(config), {
    whenReady: () => database.assertReady(),
    deadlineMs: config.POSTGRES_READ_TIMEOUT_SECONDS * 1000,
  });
  const handler = new CaseCommandHandler(store, { cacheSize: config.CASE_CACHE_SIZE });
  return {
    config,
    log,
    nc,
    store,
    handler,
    pool,
    readPool,
    database,
    metrics,
    close: async () => {
      database.stop();
      await nc.drain().catch(() => undefined);
      await pool.end().catch(() => undefined);
      await readPool.end().catch(() => undefined);
    },
  };
}
