import pg from 'pg';
import { createTable } from '../engine/table-rows.js';

// The incidents read model: one row per incident and one per member case. Both carry the
// sequence that last changed them, so a replayed batch changes nothing.

const ident = pg.escapeIdentifier;

export interface IncidentRow {
  incident_id: string;
  key_kind: string;
  key_value: string;
  window_start: string;
  first_alert_at: string;
  alertname: string;
  namespace: string | null;
  status: 'open' | 'resolved' | 'merged';
  merged_into: string | null;
  /** Members not split off (active or resolved). */
  member_count: number;
  active_count: number;
  /** reason kind -> members with it. */
  reasons: Record<string, number>;
  /** cause (alert name) -> { caseId, investigationId } whose investigation covers it. */
  chosen: Record<string, { caseId: string; investigationId: string }>;
  opened_at: string;
  updated_at: string;
  last_seq: number;
}

export const incidentColumns: Record<keyof IncidentRow, string> = {
  incident_id: 'text',
  key_kind: 'text',
  key_value: 'text',
  window_start: 'timestamptz',
  first_alert_at: 'timestamptz',
  alertname: 'text',
  namespace: 'text',
  status: 'text',
  merged_into: 'text',
  member_count: 'int',
  active_count: 'int',
  reasons: 'jsonb',
  chosen: 'jsonb',
  opened_at: 'timestamptz',
  updated_at: 'timestamptz',
  last_seq: 'bigint',
};

export interface MemberRow {
  /** `<incidentId>:<caseId>`. */
  member_id: string;
  incident_id: string;
  case_id: string;
  alertname: string;
  reason_kind: string;
  reason_detail: string;
  status: 'active' | 'resolved' | 'split';
  joined_at: string;
  split_by: string | null;
  split_note: string | null;
  last_seq: number;
}

export const memberColumns: Record<keyof MemberRow, string> = {
  member_id: 'text',
  incident_id: 'text',
  case_id: 'text',
  alertname: 'text',
  reason_kind: 'text',
  reason_detail: 'text',
  status: 'text',
  joined_at: 'timestamptz',
  split_by: 'text',
  split_note: 'text',
  last_seq: 'bigint',
};

export const tables = {
  incidents: createTable(incidentColumns, 'incident_id'),
  incident_members: createTable(memberColumns, 'member_id'),
};

export const indexes = {
  incidents: (t: string) => `
    CREATE INDEX ${ident(`${t}_updated`)} ON ${ident(t)} (updated_at DESC);
    CREATE INDEX ${ident(`${t}_seq`)} ON ${ident(t)} (last_seq);`,
  incident_members: (t: string) => `
    CREATE INDEX ${ident(`${t}_incident`)} ON ${ident(t)} (incident_id);
    CREATE INDEX ${ident(`${t}_case`)} ON ${ident(t)} (case_id);`,
};
