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
  /** 1 for the report the investigation completed with, then one more per ReportRevised. */
  version: number;
  /** What the latest revision replaced and why (null for version 1). */
  revision: ReportRevision | null;
  last_seq: number;
}

export interface ReportRevision {
  revisedAt: string;
  reason: string;
  tarkaVersion: string;
  previous: {
    version: number;
    family: string | null;
    classification: string | null;
    topHypothesis: string | null;
  };
}

export const reportColumns: Record<keyof ReportRow, string> = {
  investigation_id: 'text',
  case_id: 'text',
  completed_at: 'timestamptz',
  anchor: 'timestamptz',
  family: 'text',
  classification: 'text',
  report: 'jsonb',
  version: 'integer',
  revision: 'jsonb',
  last_seq: 'bigint',
};

export const tables = { case_reports: createTable(reportColumns, 'investigation_id') };

export const indexes = {
  case_reports: (t: string) => `
    CREATE INDEX ${ident(`${t}_case`)} ON ${ident(t)} (case_id, last_seq DESC);`,
};
