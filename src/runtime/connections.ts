import type { JetStreamManager, NatsConnection } from 'nats';
import type pg from 'pg';
import { connectNats } from '../nats/jetstream-connection.js';
import { natsSettings, shownServers } from '../nats/nats-options.js';
import { ensureEventStream, jetStreamManager } from '../nats/jetstream-setup.js';
import { retryJetStreamSetup } from '../nats/jetstream-retry.js';
import { checkout, createPool, ensureDatabase, pgSettings } from '../db/postgres.js';
import { activeGeneration } from '../projections/engine/generations.js';
import { migrate } from '../db/migrations.js';
import { readModels } from '../projections/registry.js';
import type { Config } from '../shared/config.js';
import { TarkaError } from '../shared/errors.js';
import type { Logger } from '../shared/log.js';
import { scrubSecrets, shownUrl } from '../shared/secret-url.js';

// The two connections every process needs, kept apart from the API's extras (read pool, metrics)
// so a batch command like `tarka replay` starts without loading them.

/** A server URL (or comma-separated list) fit for logs: userinfo and secret query values removed. */
export const withoutCredentials = (url: string) => url.split(',').map(shownUrl).join(',');

/** NATS, JetStream checked for fitness, and the event stream ensured. */
export async function connectEventLog(
  config: Config,
  log: Logger,
  name: string,
): Promise<{ nc: NatsConnection; jsm: JetStreamManager; connected: () => boolean }> {
  if (!config.NATS_URL) {
    throw new TarkaError(
      'TARKA_CONFIG_INVALID',
      'NATS_URL is not set',
      'set NATS_URL=nats://host:4222, or use `tarka up` for an embedded NATS',
    );
  }
  const settings = natsSettings(config);
  const link = await connectNats(settings, log, `tarka-${name}`).catch((cause: Error) => {
    if (cause instanceof TarkaError) throw cause;
    throw new TarkaError(
      'TARKA_ES_UNAVAILABLE',
      `cannot reach NATS at ${shownServers(settings)}: ${scrubSecrets(cause.message)}`,
      'check NATS_URL, its credentials (NATS_USER, NATS_TOKEN, NATS_CREDS_FILE, NATS_TLS_*) and that nats-server runs with -js',
    );
  });
  const jsm = await retryJetStreamSetup('JetStream check', () => jetStreamManager(link.nc), log);
  log.info({ server: link.nc.info?.version }, 'connected to NATS JetStream');
  await retryJetStreamSetup(
    'event stream check',
    () =>
      ensureEventStream(jsm, {
        name: config.EVENTS_STREAM,
        subjectPrefix: config.EVENTS_SUBJECT_PREFIX,
        replicas: config.NATS_REPLICAS,
        duplicateWindowSeconds: config.JETSTREAM_DUPLICATE_WINDOW_SECONDS,
      }),
    log,
  );
  return { nc: link.nc, jsm, connected: link.connected };
}

/** Postgres: the database created if missing, migrated, and the read models present (empty at first). */
export async function connectDatabase(config: Config, log: Logger, maxConnections = 10): Promise<pg.Pool> {
  const pool = createPool(pgSettings(config), maxConnections);
  try {
    await setUpDatabase(pool, config, log);
  } catch (e) {
    await pool.end().catch(() => undefined);
    throw e;
  }
  return pool;
}

/** Creates the database if missing, migrates it, and makes sure every read model has its tables. */
export async function setUpDatabase(pool: pg.Pool, config: Config, log: Logger): Promise<void> {
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
  const ran = await migrate(pool);
  if (ran.length) log.info({ migrations: ran }, 'applied database migrations');
  // Read models exist (empty) from the first start, so the API answers before any projector ran.
  const client = await checkout(pool);
  try {
    for (const p of readModels) await activeGeneration(client, p);
  } finally {
    client.release();
  }
}
