import pg from 'pg';
import { createTable } from '../engine/table-rows.js';

// The cases read model's tables: one row per case, each case's investigations and their steps.
// Each column list drives the DDL, the bulk upsert and the replay comparison.

const ident = pg.escapeIdentifier;

/** One row of the `cases` read model. Derived only from events, so a replay gives the same row. */
export interface CaseRow {
  case_id: string;
  fingerprint: string;
  status: 'firing' | 'resolved' | 'snoozed' | 'closed';
  alert_status: 'firing' | 'resolved';
  alertname: string;
  severity: string | null;
  cluster: string | null;
  namespace: string | null;
  team: string | null;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  first_seen: string;
  last_seen: string;
  episode_count: number;
  episode_started_at: string;
  resolved_at: string | null;
  snoozed_until: string | null;
  closed_category: string | null;
  closed_note: string | null;
  investigation_id: string | null;
  investigation_state: 'queued' | 'running' | 'completed' | 'failed' | 'covered' | null;
  family: string | null;
  classification: string | null;
  summary: string | null;
  target: string | null;
  impact: number | null;
  confidence: number | null;
  noise: number | null;
  last_activity_at: string;
  last_event_type: string;
  last_seq: number;
}

// Column name → SQL type. One list drives DDL, the bulk upsert and the replay comparison.
export const caseColumns: Record<keyof CaseRow, string> = {
  case_id: 'text',
  fingerprint: 'text',
  status: 'text',
  alert_status: 'text',
  alertname: 'text',
  severity: 'text',
  cluster: 'text',
  namespace: 'text',
  team: 'text',
  labels: 'jsonb',
  annotations: 'jsonb',
  first_seen: 'timestamptz',
  last_seen: 'timestamptz',
  episode_count: 'int',
  episode_started_at: 'timestamptz',
  resolved_at: 'timestamptz',
  snoozed_until: 'timestamptz',
  closed_category: 'text',
  closed_note: 'text',
  investigation_id: 'text',
  investigation_state: 'text',
  family: 'text',
  classification: 'text',
  summary: 'text',
  target: 'text',
  impact: 'int',
  confidence: 'int',
  noise: 'int',
  last_activity_at: 'timestamptz',
  last_event_type: 'text',
  last_seq: 'bigint',
};

/** One investigation of a case, as the console's timeline shows it. */
export interface InvestigationRow {
  investigation_id: string;
  case_id: string;
  episode: number;
  reason: string;
  state: 'queued' | 'running' | 'completed' | 'failed' | 'covered';
  requested_by: string | null;
  requested_at: string;
  started_at: string | null;
  finished_at: string | null;
  attempts: number;
  worker: string | null;
  error: string | null;
  family: string | null;
  classification: string | null;
  summary: string | null;
  last_seq: number;
}

export const investigationColumns: Record<keyof InvestigationRow, string> = {
  investigation_id: 'text',
  case_id: 'text',
  episode: 'int',
  reason: 'text',
  state: 'text',
  requested_by: 'text',
  requested_at: 'timestamptz',
  started_at: 'timestamptz',
  finished_at: 'timestamptz',
  attempts: 'int',
  worker: 'text',
  error: 'text',
  family: 'text',
  classification: 'text',
  summary: 'text',
  last_seq: 'bigint',
};

export interface StepRow {
  investigation_id: string;
  step: string;
  case_id: string;
  attempt: number;
  status: string;
  started_at: string;
  duration_ms: number;
  summary: string;
  detail: unknown;
  seq: number;
  idx: number;
}

export const stepColumns: Record<keyof StepRow, string> = {
  investigation_id: 'text',
  step: 'text',
  case_id: 'text',
  attempt: 'int',
  status: 'text',
  started_at: 'timestamptz',
  duration_ms: 'float8',
  summary: 'text',
  detail: 'jsonb',
  seq: 'bigint',
  idx: 'int',
};

export const tables = {
  cases: createTable(caseColumns, 'case_id'),
  investigations: createTable(investigationColumns, 'investigation_id'),
  // Keyed by (seq, idx), the position in the log: the key comes with the indexes.
  investigation_steps: createTable(stepColumns),
};

export const indexes = {
  cases: (t: string) => `
    CREATE INDEX ${ident(`${t}_activity`)} ON ${ident(t)} (last_activity_at DESC, case_id);
    CREATE INDEX ${ident(`${t}_status`)} ON ${ident(t)} (status, last_activity_at DESC);
    CREATE INDEX ${ident(`${t}_alertname`)} ON ${ident(t)} (alertname);
    CREATE INDEX ${ident(`${t}_namespace`)} ON ${ident(t)} (namespace);
    CREATE INDEX ${ident(`${t}_seq`)} ON ${ident(t)} (last_seq);`,
  investigations: (t: string) => `
    CREATE INDEX ${ident(`${t}_case`)} ON ${ident(t)} (case_id, requested_at DESC);
    CREATE INDEX ${ident(`${t}_seq`)} ON ${ident(t)} (last_seq);`,
  // The key only guards against a batch applied twice, which a fresh generation cannot see:
  // built once after a rebuild's load, it costs a fraction of checking it row by row.
  investigation_steps: (t: string) => `
    ALTER TABLE ${ident(t)} ADD CONSTRAINT ${ident(`${t}_pkey`)} PRIMARY KEY (seq, idx);
    CREATE INDEX ${ident(`${t}_investigation`)} ON ${ident(t)} (investigation_id, seq);`,
};
