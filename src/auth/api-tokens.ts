import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { newSecret, secretHash } from './sessions.js';
import type { Role } from './roles.js';

/** API tokens start with this, so a leaked one is recognisable (and greppable by scanners). */
export const TOKEN_PREFIX = 'tarka_';

export interface ApiToken {
  id: string;
  name: string;
  role: Role;
  createdBy: string;
  createdAt: string;
  expiresAt: string;
  revokedAt: string | null;
  lastUsed: string | null;
}

/** Tokens for automation: a role and an expiry each, only their hash stored. */
export class ApiTokens {
  constructor(private readonly pool: pg.Pool) {}

  /** Creates a token; the secret is returned once and never again. */
  async create(input: {
    name: string;
    role: Role;
    days: number;
    by: string;
  }): Promise<{ token: string; id: string; expiresAt: string }> {
    const id = randomUUID();
    const token = `${TOKEN_PREFIX}${newSecret()}`;
    const { rows } = await this.pool.query<{ expires_at: Date }>(
      `INSERT INTO auth_api_tokens (id, token_hash, name, role, created_by, expires_at)
       VALUES ($1, $2, $3, $4, $5, now() + make_interval(days => $6)) RETURNING expires_at`,
      [id, secretHash(token), input.name, input.role, input.by, input.days],
    );
    return { token, id, expiresAt: rows[0]!.expires_at.toISOString() };
  }

  /** The live token behind a bearer value, or null (unknown, expired or revoked). */
  async lookup(token: string): Promise<{ id: string; name: string; role: Role } | null> {
    if (!token.startsWith(TOKEN_PREFIX) || token.length > 200) return null;
    const { rows } = await this.pool.query<{ id: string; name: string; role: Role }>(
      `UPDATE auth_api_tokens SET last_used = now()
        WHERE token_hash = $1 AND revoked_at IS NULL AND expires_at > now()
        RETURNING id, name, role`,
      [secretHash(token)],
    );
    return rows[0] ?? null;
  }

  async revoke(id: string): Promise<boolean> {
    const { rowCount } = await this.pool.query(
      'UPDATE auth_api_tokens SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL',
      [id],
    );
    return (rowCount ?? 0) > 0;
  }

  async list(): Promise<ApiToken[]> {
    const { rows } = await this.pool.query<{
      id: string;
      name: string;
      role: Role;
      created_by: string;
      created_at: Date;
      expires_at: Date;
      revoked_at: Date | null;
      last_used: Date | null;
    }>('SELECT * FROM auth_api_tokens ORDER BY created_at DESC LIMIT 500');
    return rows.map((r) => ({
      id: r.id,
      name: r.name,
      role: r.role,
      createdBy: r.created_by,
      createdAt: r.created_at.toISOString(),
      expiresAt: r.expires_at.toISOString(),
      revokedAt: r.revoked_at?.toISOString() ?? null,
      lastUsed: r.last_used?.toISOString() ?? null,
    }));
  }
}
