import pg from 'pg';
import { createTable } from '../engine/table-rows.js';

// The case_reports read model: each finished investigation's report, as the case page and API
// serve it (named apart from the S3 report writer, the reactor called 'reports').

const ident = pg.escapeIdentifier;

export interface ReportRow {
  investigation_id: string;
  case_id: string;
  completed_at: string;
  anchor: string;
  family: string | null;
  classification: string | null;
  report: unknown;
  last_seq: number;
}

export const reportColumns: Record<keyof ReportRow, string> = {
  investigation_id: 'text',
  case_id: 'text',
  completed_at: 'timestamptz',
  anchor: 'timestamptz',
  family: 'text',
  classification: 'text',
  report: 'jsonb',
  last_seq: 'bigint',
};

export const tables = { case_reports: createTable(reportColumns, 'investigation_id') };

export const indexes = {
  case_reports: (t: string) => `
    CREATE INDEX ${ident(`${t}_case`)} ON ${ident(t)} (case_id, last_seq DESC);`,
};
