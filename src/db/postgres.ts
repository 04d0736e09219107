import pg from 'pg';
import type { Config } from '../shared/config.js';

export interface PgSettings {
  host: string;
  port: number;
  database: string;
  user: string;
  password?: string | undefined;
  /** How long opening a connection may take (pg's name, so every pg client built from these gets it). */
  connectionTimeoutMillis: number;
}

export function pgSettings(config: Config): PgSettings {
  return {
    host: config.POSTGRES_HOST ?? '127.0.0.1',
    port: config.POSTGRES_PORT,
    database: config.POSTGRES_DB,
    user: config.POSTGRES_USER,
    password: config.POSTGRES_PASSWORD,
    connectionTimeoutMillis: config.POSTGRES_CONNECT_TIMEOUT_MS,
  };
}

export function pgUrl(s: PgSettings): string {
  const auth = s.password
    ? `${encodeURIComponent(s.user)}:${encodeURIComponent(s.password)}`
    : encodeURIComponent(s.user);
  return `postgres://${auth}@${s.host}:${s.port}/${encodeURIComponent(s.database)}`;
}

export function createPool(s: PgSettings, max = 10): pg.Pool {
  // A Postgres that does not answer fails a checkout after connectionTimeoutMillis (no retry here:
  // callers answer 503 or retry on their own schedule) rather than hanging the caller.
  const pool = new pg.Pool({ ...s, max, idleTimeoutMillis: 30_000 });
  // An idle client losing its connection must not crash the process; the next query reconnects.
  pool.on('error', () => undefined);
  return pool;
}

/**
 * A client checked out of the pool for a session. pg takes its error listener off a checked-out
 * client, so a connection dropped between two queries (a Postgres restart or failover) would
 * crash the process; with this one the failure surfaces on the next query instead.
 */
export async function checkout(pool: pg.Pool): Promise<pg.PoolClient> {
  const client = await pool.connect();
  const ignore = () => undefined;
  client.on('error', ignore);
  const release = client.release;
  client.release = (err?: Error | boolean) => {
    client.off('error', ignore);
    release(err);
  };
  return client;
}

/** Creates the database if it does not exist (first start on a fresh server). */
export async function ensureDatabase(s: PgSettings): Promise<void> {
  const admin = new pg.Client({ ...s, database: 'postgres' });
  await admin.connect();
  try {
    const { rowCount } = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [s.database]);
    if (!rowCount)
      await admin
        .query(`CREATE DATABASE ${pg.escapeIdentifier(s.database)}`)
        .catch((e: { code?: string }) => {
          if (e.code !== '42P04') throw e; // created meanwhile by another process
        });
  } finally {
    await admin.end();
  }
}
