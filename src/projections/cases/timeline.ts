import pg from 'pg';
import type { Recorded } from '../../events/envelope.js';
import { insertNew, readRows, upsertForward } from '../engine/table-rows.js';
import { caseIdOf } from '../../contract/case-id.js';
import { coveredSummary } from './evolve.js';
import { investigationColumns, stepColumns, type InvestigationRow, type StepRow } from './schema.js';

const str = (v: unknown) => (typeof v === 'string' ? v : null);

/** Applies one event to an investigation row (null when the event is not about one). */
export function evolveInvestigation(row: InvestigationRow | null, e: Recorded): InvestigationRow | null {
  const event = e;
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
    case 'ReportRevised': {
      // A re-derived report (tarka reanalyze): the investigation shows its latest version.
      const r = event.data.report;
      return (
        row && {
          ...row,
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
    case 'InvestigationSkipped':
      return (
        row && {
          ...row,
          state: 'covered',
          finished_at: e.occurredAt,
          summary: coveredSummary(event.data),
          last_seq: e.seq,
        }
      );
    default:
      return row;
  }
}

const investigationId = (e: Recorded) => ('investigationId' in e.data ? e.data.investigationId : undefined);

/** Bulk upserts of investigations and their steps for one batch; rows only move forward. */
export async function applyTimeline(
  tx: pg.ClientBase,
  events: Recorded[],
  tables: { investigations: string; steps: string },
) {
  const touched = events.filter((e) => e.type.startsWith('Investigation') || e.type === 'ReportRevised');
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
      const d = e.data;
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
