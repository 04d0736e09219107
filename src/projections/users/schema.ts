import pg from 'pg';
import { createTable, type Columns } from '../engine/table-rows.js';

/** One row per user: who they are, their role, whether they may sign in. */
export const userColumns = {
  user_id: 'text',
  email: 'text',
  name: 'text',
  role: 'text',
  origin: 'text',
  disabled: 'boolean',
  created_at: 'timestamptz',
  updated_at: 'timestamptz',
  last_seq: 'bigint',
  last_index: 'int',
} satisfies Columns;

export interface UserRow {
  user_id: string;
  email: string;
  name: string | null;
  role: string;
  origin: string;
  disabled: boolean;
  created_at: string;
  updated_at: string;
  last_seq: number;
  last_index: number;
}

export const tables = { users: createTable(userColumns, 'user_id') };
export const indexes = {
  users: (t: string) =>
    `CREATE UNIQUE INDEX ${pg.escapeIdentifier(`${t}_email`)} ON ${pg.escapeIdentifier(t)} (email);`,
};
