import type { NatsConnection } from 'nats';
import type pg from 'pg';
import type { DatabasePool } from 'slonik';
import { CaseCommandHandler } from '../commands/case/handler.js';
import { connectNats } from '../events/jetstream-connection.js';
import { JetStreamEventStore } from '../events/jetstream-event-store.js';
import { ensureEventStream, ensureWorkQueue, jetStreamManager } from '../events/jetstream-setup.js';
import type { EventStore } from '../events/event-store.js';
import { createMetrics, InstrumentedStore, type Metrics } from '../http/metrics.js';
import { createPool, ensureDatabase, pgSettings } from '../projections/db.js';
import { migrate } from '../projections/migrations.js';
import { activeGeneration } from '../projections/generations.js';
import { readModels } from '../projections/read-models.js';
import { createReadPool } from '../projections/read-pool.js';
import type { Config } from '../shared/config.js';
import { TarkaError } from '../shared/errors.js';
import type { Logger } from '../shared/log.js';

/** A server URL fit for logs: user and password removed. */
export const withoutCredentials = (url: string) => url.replace(/\/\/[^@/]*@/g, '//');

/** Everything a Tarka process talks to, connected and checked. */
export interface Context {
  config: Config;
  log: Logger;
  nc: NatsConnection;
  store: EventStore;
  handler: CaseCommandHandler;
  pool: pg.Pool;
  readPool: DatabasePool;
  metrics: Metrics;
  close(): Promise<void>;
}

export async function createContext(config: Config, log: Logger, name: string): Promise<Context> {
  if (!config.NATS_URL) {
    throw new TarkaError(
      'TARKA_CONFIG_INVALID',
      'NATS_URL is not set',
      'set NATS_URL=nats://host:4222, or use `tarka up` for an embedded NATS',
    );
  }
  const link = await connectNats(config.NATS_URL, log, `tarka-${name}`).catch((cause: Error) => {
    throw new TarkaError(
      'TARKA_ES_UNAVAILABLE',
      `cannot reach NATS at ${withoutCredentials(config.NATS_URL!)}: ${cause.message}`,
      'check NATS_URL and that nats-server runs with -js',
      { cause },
    );
  });
  const nc = link.nc;
  const jsm = await jetStreamManager(nc);
  log.info({ server: nc.info?.version }, 'connected to NATS JetStream');
  await ensureEventStream(jsm, {
    name: config.EVENTS_STREAM,
    subjectPrefix: config.EVENTS_SUBJECT_PREFIX,
    replicas: config.NATS_REPLICAS,
    duplicateWindowSeconds: config.JETSTREAM_DUPLICATE_WINDOW_SECONDS,
  });
  await ensureWorkQueue(jsm, {
    name: config.JETSTREAM_STREAM,
    subject: config.JETSTREAM_SUBJECT,
    replicas: config.NATS_REPLICAS,
    duplicateWindowSeconds: config.JETSTREAM_DUPLICATE_WINDOW_SECONDS,
  });
  const metrics = createMetrics();
  const store = new InstrumentedStore(
    new JetStreamEventStore(nc, jsm, {
      stream: config.EVENTS_STREAM,
      subjectPrefix: config.EVENTS_SUBJECT_PREFIX,
      connected: link.connected,
    }),
    metrics,
  );
  const pgs = pgSettings(config);
  try {
    await ensureDatabase(pgs);
  } catch (cause) {
    throw new TarkaError(
      'TARKA_DEPENDENCY_DOWN',
      `cannot reach Postgres at ${pgs.host}:${pgs.port} as ${pgs.user}: ${(cause as Error).message}`,
      'check POSTGRES_HOST, POSTGRES_PORT, POSTGRES_USER and POSTGRES_PASSWORD',
      { cause },
    );
  }
  const pool = createPool(pgs);
  const ran = await migrate(pool);
  if (ran.length) log.info({ migrations: ran }, 'applied database migrations');
  // Read models exist (empty) from the first start, so the API answers before any projector ran.
  const client = await pool.connect();
  try {
    for (const p of readModels) await activeGeneration(client, p);
  } finally {
    client.release();
  }
  const readPool = await createReadPool(pgs);
  const handler = new CaseCommandHandler(store, { cacheSize: config.CASE_CACHE_SIZE });
  return {
    config,
    log,
    nc,
    store,
    handler,
    pool,
    readPool,
    metrics,
    close: async () => {
      await nc.drain().catch(() => undefined);
      await pool.end().catch(() => undefined);
      await readPool.end().catch(() => undefined);
    },
  };
}
