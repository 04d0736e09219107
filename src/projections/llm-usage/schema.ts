import pg from 'pg';
import { createTable } from '../engine/table-rows.js';

// The llm_usage read model: one row per LLM call Tarka recorded (an enrichment, a chat turn),
// with its tokens and estimated cost; unknown stays NULL, never 0. Feeds the dashboard, the daily
// budget across replicas, and per-investigation / per-turn / per-day sums.

const ident = pg.escapeIdentifier;

export interface LlmUsageRow {
  /** The event that recorded the call. */
  event_id: string;
  site: string;
  case_id: string | null;
  /** The investigation (enrichment) or chat turn the call served. */
  subject_id: string;
  occurred_at: string;
  /** UTC day of the call, YYYY-MM-DD: what the daily budget counts. */
  day: string;
  provider: string | null;
  model: string | null;
  /** ok, or the TARKA_LLM_* code. */
  outcome: string;
  input_tokens: number | null;
  output_tokens: number | null;
  cost_usd: number | null;
  last_seq: number;
}

export const usageColumns: Record<keyof LlmUsageRow, string> = {
  event_id: 'text',
  site: 'text',
  case_id: 'text',
  subject_id: 'text',
  occurred_at: 'timestamptz',
  day: 'text',
  provider: 'text',
  model: 'text',
  outcome: 'text',
  input_tokens: 'bigint',
  output_tokens: 'bigint',
  cost_usd: 'double precision',
  last_seq: 'bigint',
};

export const tables = { llm_usage: createTable(usageColumns, 'event_id') };

export const indexes = {
  llm_usage: (t: string) => `
    CREATE INDEX ${ident(`${t}_day`)} ON ${ident(t)} (day);
    CREATE INDEX ${ident(`${t}_case`)} ON ${ident(t)} (case_id);`,
};
