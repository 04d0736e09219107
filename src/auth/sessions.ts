import { createHash, randomBytes } from 'node:crypto';
import type pg from 'pg';
import type { Role } from './roles.js';

/** A fresh secret for a cookie or token: 32 random bytes, URL-safe. */
export const newSecret = (): string => randomBytes(32).toString('base64url');

/** Only this is stored: a leaked table gives no usable session or token. */
export const secretHash = (secret: string): Buffer => createHash('sha256').update(secret).digest();

export interface Session {
  tokenHash: Buffer;
  userId: string;
  email: string;
  role: Role;
}

export interface SessionLimits {
  idleMinutes: number;
  maxHours: number;
}

/**
 * Server-side sessions in Postgres, shared by every replica: revoking one (or all of a user's)
 * takes effect on the next request anywhere. A session ends when idle longer than
 * AUTH_SESSION_IDLE_MINUTES or older than AUTH_SESSION_MAX_HOURS, whichever comes first.
 */
export class SessionStore {
  constructor(
    private readonly pool: pg.Pool,
    private readonly limits: SessionLimits,
  ) {}

  async create(
    user: { userId: string; email: string; role: Role },
    source: { ip: string | null; userAgent: string | null },
  ): Promise<string> {
    const token = newSecret();
    await this.pool.query(
      `INSERT INTO auth_sessions (token_hash, user_id, email, role, expires_at, ip, user_agent)
       VALUES ($1, $2, $3, $4, now() + make_interval(hours => $5), $6, $7)`,
      [
        secretHash(token),
        user.userId,
        user.email,
        user.role,
        this.limits.maxHours,
        source.ip,
        source.userAgent,
      ],
    );
    return token;
  }

  /** The live session of a cookie value, touching its idle clock (at most once a minute), or null. */
  async lookup(token: string): Promise<Session | null> {
    const { rows } = await this.pool.query<{ user_id: string; email: string; role: Role; stale: boolean }>(
      `SELECT user_id, email, role, last_seen < now() - interval '1 minute' AS stale
         FROM auth_sessions
        WHERE token_hash = $1 AND revoked_at IS NULL AND expires_at > now()
          AND last_seen > now() - make_interval(mins => $2)`,
      [secretHash(token), this.limits.idleMinutes],
    );
    const row = rows[0];
    if (!row) return null;
    const tokenHash = secretHash(token);
    if (row.stale)
      await this.pool.query('UPDATE auth_sessions SET last_seen = now() WHERE token_hash = $1', [tokenHash]);
    return { tokenHash, userId: row.user_id, email: row.email, role: row.role };
  }

  /** Whether a session (by its hash) is still live, without touching it (the websocket's check). */
  async alive(tokenHash: Buffer): Promise<boolean> {
    const { rowCount } = await this.pool.query(
      `SELECT 1 FROM auth_sessions WHERE token_hash = $1 AND revoked_at IS NULL AND expires_at > now()
          AND last_seen > now() - make_interval(mins => $2)`,
      [tokenHash, this.limits.idleMinutes],
    );
    return (rowCount ?? 0) > 0;
  }

  async revoke(tokenHash: Buffer): Promise<number> {
    const { rowCount } = await this.pool.query(
      'UPDATE auth_sessions SET revoked_at = now() WHERE token_hash = $1 AND revoked_at IS NULL',
      [tokenHash],
    );
    return rowCount ?? 0;
  }

  /** Ends every session of a user (logout everywhere, disabled, password reset); how many were live. */
  async revokeUser(userId: string): Promise<number> {
    const { rowCount } = await this.pool.query(
      `UPDATE auth_sessions SET revoked_at = now()
        WHERE user_id = $1 AND revoked_at IS NULL AND expires_at > now()`,
      [userId],
    );
    return rowCount ?? 0;
  }

  /** A role change applies to sessions already open. */
  async setRole(userId: string, role: Role): Promise<void> {
    await this.pool.query('UPDATE auth_sessions SET role = $2 WHERE user_id = $1 AND revoked_at IS NULL', [
      userId,
      role,
    ]);
  }

  /** Drops sessions ended more than a day ago (called now and then; nothing depends on it). */
  async prune(): Promise<void> {
    await this.pool.query(
      `DELETE FROM auth_sessions WHERE expires_at < now() - interval '1 day' OR revoked_at < now() - interval '1 day'`,
    );
  }
}
