import pg from 'pg';
import type { CaseEvent, CaseEventOf } from '../../events/case-events.js';
import type { Recorded } from '../../events/envelope.js';
import { createTable, insertNew, readRows, upsertForward } from '../engine/table-rows.js';
import { caseIdOf } from '../../contract/case-id.js';

const ident = pg.escapeIdentifier;

/** One investigation of a case, as the console's timeline shows it. */
export interface InvestigationRow {
  investigation_id: string;
  case_id: string;
  episode: number;
  reason: string;
  state: 'queued' | 'running' | 'completed' | 'failed';
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

const str = (v: unknown) => (typeof v === 'string' ? v : null);

/** Applies one event to an investigation row (null when the event is not about one). */
export function evolveInvestigation(row: InvestigationRow | null, e: Recorded): InvestigationRow | null {
  const event = { type: e.type, data: e.data } as CaseEvent;
  const caseId = caseIdOf(e.aggregate);
  switch (event.type) {
    case 'InvestigationRequested':
      return {
        investigation_id: event.data.investigationId,
        case_id: caseId,
        episode: event.data.episode,
        reason: event.data.reason,
        state: 'queued',
        requested_by: event.data.requestedBy,
        requested_at: e.occurredAt,
        started_at: null,
        finished_at: null,
        attempts: 0,
        worker: null,
        error: null,
        family: null,
        classification: null,
        summary: null,
        last_seq: e.seq,
      };
    case 'InvestigationStarted':
      return (
        row && {
          ...row,
          state: 'running',
          started_at: e.occurredAt,
          attempts: event.data.attempt,
          worker: event.data.worker,
          last_seq: e.seq,
        }
      );
    case 'InvestigationCompleted': {
      const r = event.data.report ?? {};
      return (
        row && {
          ...row,
          state: 'completed',
          finished_at: e.occurredAt,
          error: null,
          family: str(r.family),
          classification: str(r.classification),
          summary: str(r.summary),
          last_seq: e.seq,
        }
      );
    }
    case 'InvestigationFailed':
      return (
        row && {
          ...row,
          state: event.data.final ? 'failed' : row.state,
          finished_at: event.data.final ? e.occurredAt : row.finished_at,
          error: event.data.error,
          last_seq: e.seq,
        }
      );
    default:
      return row;
  }
}

const investigationId = (e: Recorded) => (e.data as { investigationId?: string }).investigationId;

/** Bulk upserts of investigations and their steps for one batch; rows only move forward. */
export async function applyTimeline(
  tx: pg.ClientBase,
  events: Recorded[],
  tables: { investigations: string; steps: string },
) {
  const touched = events.filter((e) => e.type.startsWith('Investigation'));
  if (touched.length === 0) return;
  const ids = [...new Set(touched.map(investigationId).filter((x): x is string => !!x))];
  const rows = await readRows<InvestigationRow>(tx, tables.investigations, 'investigation_id', ids);
  const byId = new Map(rows.map((r) => [r.investigation_id, r]));
  const stored = new Map(rows.map((r) => [r.investigation_id, r.last_seq]));
  const changed = new Set<string>();
  const steps: StepRow[] = [];
  for (const e of touched) {
    const id = investigationId(e)!;
    if (e.type === 'InvestigationStepCompleted') {
      const d = e.data as CaseEventOf<'InvestigationStepCompleted'>['data'];
      steps.push({
        investigation_id: id,
        step: d.step,
        case_id: e.aggregate.slice(5),
        attempt: byId.get(id)?.attempts ?? 0,
        status: d.status,
        started_at: d.startedAt,
        duration_ms: d.durationMs,
        summary: d.summary,
        detail: d.detail ?? null,
        seq: e.seq,
        idx: e.index,
      });
      continue;
    }
    if (e.seq <= (stored.get(id) ?? 0)) continue;
    const next = evolveInvestigation(byId.get(id) ?? null, e);
    if (next) {
      byId.set(id, next);
      changed.add(id);
    }
  }
  await upsertForward(
    tx,
    tables.investigations,
    investigationColumns,
    'investigation_id',
    [...changed].map((id) => byId.get(id)!),
  );
  // Steps are append-only, one row per step event (a retried attempt adds its own), keyed by their
  // position in the log, so inserting a batch twice adds nothing.
  await insertNew(tx, tables.steps, stepColumns, steps);
}

export const timelineTables = {
  investigations: createTable(investigationColumns, 'investigation_id'),
  // Keyed by (seq, idx), the position in the log: the key comes with timelineIndexes.
  investigation_steps: createTable(stepColumns),
};

export const timelineIndexes = {
  investigations: (t: string) => `
    CREATE INDEX ${ident(`${t}_case`)} ON ${ident(t)} (case_id, requested_at DESC);
    CREATE INDEX ${ident(`${t}_seq`)} ON ${ident(t)} (last_seq);`,
  // The key only guards against a batch applied twice, which a fresh generation cannot see:
  // built once after a rebuild's load, it costs a fraction of checking it row by row.
  investigation_steps: (t: string) => `
    ALTER TABLE ${ident(t)} ADD CONSTRAINT ${ident(`${t}_pkey`)} PRIMARY KEY (seq, idx);
    CREATE INDEX ${ident(`${t}_investigation`)} ON ${ident(t)} (investigation_id, seq);`,
};
