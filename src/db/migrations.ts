import { checkout } from './postgres.js';
import { createHash } from 'node:crypto';
import type pg from 'pg';
import { TarkaError } from '../shared/errors.js';

// Schema that is not a rebuildable read model: bookkeeping of projections and checkpoints.
// Read-model tables themselves are created per generation by each projection
// (see src/projections/runner.ts).
// Append only: never edit a migration that has shipped (its checksum is checked at start).
const migrations: { id: string; sql: string }[] = [
  {
    id: '001_projection_bookkeeping',
    sql: `
      CREATE TABLE projections (
        name text PRIMARY KEY,
        active_generation int NOT NULL,
        definition_version int NOT NULL,
        switched_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE TABLE projection_checkpoints (
        name text NOT NULL,
        generation int NOT NULL,
        position bigint NOT NULL DEFAULT 0,
        updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (name, generation)
      );`,
  },
  {
    // Messages a projector could not apply, set aside so the events behind them keep flowing.
    id: '002_projection_set_aside',
    sql: `
      CREATE TABLE projection_set_aside (
        projector text NOT NULL,
        generation int NOT NULL,
        seq bigint NOT NULL,
        event_index int,
        event_type text NOT NULL,
        aggregate text,
        error text NOT NULL,
        error_code text,
        first_seen timestamptz NOT NULL DEFAULT now(),
        last_seen timestamptz NOT NULL DEFAULT now(),
        attempts int NOT NULL DEFAULT 1,
        tarka_version text NOT NULL,
        definition_version int NOT NULL,
        PRIMARY KEY (projector, generation, seq)
      );`,
  },
  {
    // Sign-in state that is operational, not history (never rebuilt by replay, never in an event):
    // password hashes, sessions and API tokens (only hashes of their secrets), failed-login
    // counters shared by every replica.
    id: '003_auth',
    sql: `
      CREATE TABLE auth_credentials (
        user_id text PRIMARY KEY,
        email text NOT NULL UNIQUE,
        password_hash text NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE TABLE auth_sessions (
        token_hash bytea PRIMARY KEY,
        user_id text NOT NULL,
        email text NOT NULL,
        role text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        last_seen timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz NOT NULL,
        revoked_at timestamptz,
        ip text,
        user_agent text
      );
      CREATE INDEX auth_sessions_user ON auth_sessions (user_id);
      CREATE TABLE auth_login_attempts (
        key text PRIMARY KEY,
        failures int NOT NULL DEFAULT 0,
        window_start timestamptz NOT NULL DEFAULT now(),
        locked_until timestamptz
      );
      CREATE TABLE auth_api_tokens (
        id text PRIMARY KEY,
        token_hash bytea NOT NULL UNIQUE,
        name text NOT NULL,
        role text NOT NULL,
        created_by text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz NOT NULL,
        revoked_at timestamptz,
        last_used timestamptz
      );`,
  },
];

const LOCK_KEY = 'tarka.migrations';

/** Applies pending migrations under an advisory lock, so replicas starting together are safe. */
export async function migrate(pool: pg.Pool): Promise<string[]> {
  const client = await checkout(pool);
  try {
    await client.query('SELECT pg_advisory_lock(hashtext($1))', [LOCK_KEY]);
    await client.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
      id text PRIMARY KEY, checksum text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`);
    const { rows } = await client.query<{ id: string; checksum: string }>(
      'SELECT id, checksum FROM schema_migrations',
    );
    const applied = new Map(rows.map((r) => [r.id, r.checksum]));
    const ran: string[] = [];
    for (const m of migrations) {
      const sum = createHash('sha256').update(m.sql).digest('hex');
      const seen = applied.get(m.id);
      if (seen !== undefined) {
        if (seen !== sum) {
          throw new TarkaError(
            'TARKA_CONFIG_INVALID',
            `migration ${m.id} differs from the one applied to this database`,
            'do not edit shipped migrations; add a new one',
          );
        }
        continue;
      }
      await client.query('BEGIN');
      try {
        await client.query(m.sql);
        await client.query('INSERT INTO schema_migrations (id, checksum) VALUES ($1, $2)', [m.id, sum]);
        await client.query('COMMIT');
      } catch (e) {
        await client.query('ROLLBACK');
        throw e;
      }
      ran.push(m.id);
    }
    return ran;
  } finally {
    await client.query('SELECT pg_advisory_unlock(hashtext($1))', [LOCK_KEY]).catch(() => undefined);
    client.release();
  }
}
