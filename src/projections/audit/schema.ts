import pg from 'pg';
import { createTable, type Columns } from '../engine/table-rows.js';

/**
 * One row per audited event: sign-ins (and failures), sign-outs, revocations, tokens, user
 * changes and people's case actions. Keyed by the event's position in the log.
 */
export const auditColumns = {
  seq: 'bigint',
  idx: 'int',
  aggregate: 'text',
  at: 'timestamptz',
  type: 'text',
  /** Who did it: e-mail, `token:<name>`, `oidc`, or null (sign-in disabled, unknown). */
  actor: 'text',
  /** What it was about: a user's e-mail or id, a case id, a token id. */
  target: 'text',
  ip: 'text',
  user_agent: 'text',
  detail: 'jsonb',
} satisfies Columns;

export interface AuditRow {
  seq: number;
  idx: number;
  aggregate: string;
  at: string;
  type: string;
  actor: string | null;
  target: string | null;
  ip: string | null;
  user_agent: string | null;
  detail: Record<string, unknown>;
}

const ident = pg.escapeIdentifier;
export const tables = { audit: createTable(auditColumns) };
export const indexes = {
  audit: (t: string) => `
    ALTER TABLE ${ident(t)} ADD PRIMARY KEY (seq, idx);
    CREATE INDEX ${ident(`${t}_at`)} ON ${ident(t)} (at DESC, seq DESC);`,
};
