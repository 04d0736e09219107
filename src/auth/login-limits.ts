import type pg from 'pg';

export interface LoginLimitPolicy {
  /** Failures per e-mail, and per client address, before a lock; counted over `windowMinutes`. */
  perUser: number;
  perIp: number;
  windowMinutes: number;
  /** First lock; each further failure while over the limit doubles it, up to `maxLockSeconds`. */
  baseLockSeconds: number;
  maxLockSeconds: number;
}

export const defaultLoginLimits: LoginLimitPolicy = {
  perUser: 5,
  perIp: 20,
  windowMinutes: 15,
  baseLockSeconds: 30,
  maxLockSeconds: 15 * 60,
};

const userKey = (email: string) => `user:${email.slice(0, 320)}`;
const ipKey = (ip: string) => `ip:${ip}`;

/**
 * Failed sign-ins counted in Postgres, so every replica sees the same counts: after too many for
 * an e-mail (whether or not it exists) or from an address, that key is locked with a growing
 * backoff. Checked before the password is, so a locked key costs no hashing.
 */
export class LoginLimits {
  constructor(
    private readonly pool: pg.Pool,
    private readonly policy: LoginLimitPolicy = defaultLoginLimits,
  ) {}

  /** Seconds until the e-mail or address may try again, or 0. */
  async lockedFor(email: string, ip: string): Promise<number> {
    const { rows } = await this.pool.query<{ wait: number | null }>(
      `SELECT ceil(extract(epoch FROM max(locked_until) - now()))::int AS wait
         FROM auth_login_attempts WHERE key = ANY($1) AND locked_until > now()`,
      [[userKey(email), ipKey(ip)]],
    );
    return Math.max(0, rows[0]?.wait ?? 0);
  }

  async failed(email: string, ip: string): Promise<void> {
    const p = this.policy;
    for (const [key, limit] of [
      [userKey(email), p.perUser],
      [ipKey(ip), p.perIp],
    ] as const) {
      // One statement per key: concurrent failures on other replicas all count.
      await this.pool.query(
        `INSERT INTO auth_login_attempts AS a (key, failures, window_start) VALUES ($1, 1, now())
         ON CONFLICT (key) DO UPDATE SET
           failures = CASE WHEN a.window_start < now() - make_interval(mins => $2) AND
                                (a.locked_until IS NULL OR a.locked_until < now())
                           THEN 1 ELSE a.failures + 1 END,
           window_start = CASE WHEN a.window_start < now() - make_interval(mins => $2) AND
                                    (a.locked_until IS NULL OR a.locked_until < now())
                               THEN now() ELSE a.window_start END`,
        [key, p.windowMinutes],
      );
      await this.pool.query(
        `UPDATE auth_login_attempts
            SET locked_until = now() + make_interval(secs => least($3::float8, $2::float8 * power(2, failures - $4)))
          WHERE key = $1 AND failures >= $4`,
        [key, p.baseLockSeconds, p.maxLockSeconds, limit],
      );
    }
  }

  /** Forgets counts whose window has passed and whose lock (if any) is over. */
  async prune(): Promise<void> {
    await this.pool.query(
      `DELETE FROM auth_login_attempts
        WHERE window_start < now() - make_interval(mins => $1) AND (locked_until IS NULL OR locked_until < now())`,
      [this.policy.windowMinutes],
    );
  }

  /** A good password clears the e-mail's count (the address's stays: it may be guessing others). */
  async succeeded(email: string): Promise<void> {
    await this.pool.query('DELETE FROM auth_login_attempts WHERE key = $1', [userKey(email)]);
  }
}
