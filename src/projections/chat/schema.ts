import pg from 'pg';
import { createTable } from '../engine/table-rows.js';

// The chat read model: every thread's turns (question, answer or failure) and each turn's tool
// calls. Both carry the sequence that last changed them, which the live reader sends on.

const ident = pg.escapeIdentifier;

export interface ChatTurnRow {
  turn_id: string;
  /** `case:<id>` or `global`. */
  thread: string;
  case_id: string | null;
  aggregate: string;
  author: string | null;
  text: string;
  status: 'pending' | 'answered' | 'failed';
  intent: string | null;
  answer: string | null;
  citations: unknown[];
  error_code: string | null;
  error: string | null;
  /** The turn's LLM call record (LlmCall), null when no LLM was asked. */
  llm: unknown;
  posted_at: string;
  answered_at: string | null;
  /** Sequence of the question: threads are shown in this order. */
  seq: number;
  last_seq: number;
}

export const turnColumns: Record<keyof ChatTurnRow, string> = {
  turn_id: 'text',
  thread: 'text',
  case_id: 'text',
  aggregate: 'text',
  author: 'text',
  text: 'text',
  status: 'text',
  intent: 'text',
  answer: 'text',
  citations: 'jsonb',
  error_code: 'text',
  error: 'text',
  llm: 'jsonb',
  posted_at: 'timestamptz',
  answered_at: 'timestamptz',
  seq: 'bigint',
  last_seq: 'bigint',
};

export interface ChatCallRow {
  call_id: string;
  turn_id: string;
  thread: string;
  case_id: string | null;
  tool: string;
  request: string;
  status: string;
  code: string | null;
  summary: string | null;
  evidence_ids: string[];
  duration_ms: number | null;
  result: unknown;
  started_at: string;
  finished_at: string | null;
  seq: number;
  last_seq: number;
}

export const callColumns: Record<keyof ChatCallRow, string> = {
  call_id: 'text',
  turn_id: 'text',
  thread: 'text',
  case_id: 'text',
  tool: 'text',
  request: 'text',
  status: 'text',
  code: 'text',
  summary: 'text',
  evidence_ids: 'jsonb',
  duration_ms: 'float8',
  result: 'jsonb',
  started_at: 'timestamptz',
  finished_at: 'timestamptz',
  seq: 'bigint',
  last_seq: 'bigint',
};

export const tables = {
  chat_turns: createTable(turnColumns, 'turn_id'),
  chat_calls: createTable(callColumns, 'call_id'),
};

export const indexes = {
  chat_turns: (t: string) => `
    CREATE INDEX ${ident(`${t}_thread`)} ON ${ident(t)} (thread, seq DESC);
    CREATE INDEX ${ident(`${t}_seq`)} ON ${ident(t)} (last_seq);`,
  chat_calls: (t: string) => `
    CREATE INDEX ${ident(`${t}_turn`)} ON ${ident(t)} (turn_id, seq);
    CREATE INDEX ${ident(`${t}_seq`)} ON ${ident(t)} (last_seq);`,
};
