import type { NatsConnection } from 'nats';
import type pg from 'pg';
import type { DatabasePool } from 'slonik';
import { CaseCommandHandler } from '../commands/case/handler.js';
import { JetStreamEventStore } from '../events/jetstream-event-store.js';
import { ensureWorkQueue } from '../events/jetstream-setup.js';
import type { EventStore } from '../events/event-store.js';
import { createMetrics, InstrumentedStore, type Metrics } from '../http/metrics.js';
import { pgSettings } from '../projections/db.js';
import { createReadPool } from '../projections/read-pool.js';
import type { Config } from '../shared/config.js';
import type { Logger } from '../shared/log.js';
import { connectDatabase, connectEventLog } from './connections.js';

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
  metrics: Metrics;
  close(): Promise<void>;
}

export async function createContext(config: Config, log: Logger, name: string): Promise<Context> {
  const { nc, jsm, connected } = await connectEventLog(config, log, name);
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
      connected,
    }),
    metrics,
  );
  const pool = await connectDatabase(config, log);
  const pgs = pgSettings(config);
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
