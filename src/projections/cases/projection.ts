import pg from 'pg';
import type { Recorded } from '../../events/envelope.js';
import type { Projection } from '../engine/projection.js';
import { evolveRow } from './evolve.js';
import type { CaseRow } from './schema.js';
import { applyTimeline } from './timeline.js';
import { readRows, upsertForward } from '../engine/table-rows.js';
import * as schema from './schema.js';
import { casesLive } from './live.js';
import { caseIdOf, isCaseAggregate } from '../../contract/case-id.js';

const ident = pg.escapeIdentifier;

/** The case read model: one row per case, plus each case's investigations and their steps. */
export const casesProjection: Projection = {
  name: 'cases',
  // 2: investigations and steps joined the read model. 3: ReportRevised updates the report fields.
  definitionVersion: 3,
  tables: schema.tables,
  indexes: schema.indexes,
  live: casesLive,

  async apply(tx, events, tables) {
    await applyTimeline(tx, events, {
      investigations: tables.investigations!,
      steps: tables.investigation_steps!,
    });
    await applyCases(tx, events, tables.cases!);
  },

  // Every row of the read model belongs to one case, named by case_id.
  async forget(tx, aggregates, tables) {
    const ids = aggregates.filter(isCaseAggregate).map(caseIdOf);
    if (ids.length === 0) return;
    for (const table of [tables.cases!, tables.investigations!, tables.investigation_steps!]) {
      await tx.query(`DELETE FROM ${ident(table)} WHERE case_id = ANY($1)`, [ids]);
    }
  },
};

async function applyCases(tx: pg.ClientBase, events: Recorded[], table: string) {
  const ids = [
    ...new Set(events.filter((e) => isCaseAggregate(e.aggregate)).map((e) => caseIdOf(e.aggregate))),
  ];
  if (ids.length === 0) return;
  const rows = await readRows<CaseRow>(tx, table, 'case_id', ids);
  const byId = new Map<string, CaseRow | null>(rows.map((r) => [r.case_id, r]));
  // A stored row already includes every message up to its last_seq (messages are never split).
  const storedSeq = new Map(rows.map((r) => [r.case_id, r.last_seq]));
  // Rows read above belong to this batch alone, so events may change them in place.
  const changed = new Set<string>();
  for (const e of events) {
    if (!isCaseAggregate(e.aggregate)) continue;
    const id = caseIdOf(e.aggregate);
    if (e.seq <= (storedSeq.get(id) ?? 0)) continue;
    const after = evolveRow(byId.get(id) ?? null, e, true);
    if (after) {
      byId.set(id, after);
      changed.add(id);
    }
  }
  const out = [...changed]
    .map((id) => byId.get(id))
    .filter((r): r is CaseRow => r !== null && r !== undefined);
  await upsertForward(tx, table, schema.caseColumns, 'case_id', out);
}
