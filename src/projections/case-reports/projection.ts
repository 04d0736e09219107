import pg from 'pg';
import type { Projection } from '../engine/projection.js';
import { readRows, upsertForward } from '../engine/table-rows.js';
import { caseIdOf, isCaseAggregate } from '../../contract/case-id.js';
import { reportRowOf, revisedRow } from './evolve.js';
import * as schema from './schema.js';

/** Reports of finished investigations, one row each at its latest version, newest event wins. */
export const reportsProjection: Projection = {
  name: 'case_reports',
  // 2: ReportRevised (tarka reanalyze) gives a report its latest version and what it replaced.
  definitionVersion: 2,
  tables: schema.tables,
  indexes: schema.indexes,

  async apply(tx, events, tables) {
    const table = tables.case_reports!;
    // A revision changes a row written by an earlier batch: read those rows first.
    const revisedIds = events.flatMap((e) => (e.type === 'ReportRevised' ? [e.data.investigationId] : []));
    const stored =
      revisedIds.length > 0
        ? await readRows<schema.ReportRow>(tx, table, 'investigation_id', [...new Set(revisedIds)])
        : [];
    const known = new Map<string, schema.ReportRow>(stored.map((r) => [r.investigation_id, r]));
    const rows = new Map<string, schema.ReportRow>();
    for (const e of events) {
      const row =
        e.type === 'ReportRevised'
          ? revisedRow(rows.get(e.data.investigationId) ?? known.get(e.data.investigationId) ?? null, e)
          : reportRowOf(e);
      if (row) rows.set(row.investigation_id, row);
    }
    if (rows.size > 0)
      await upsertForward(tx, table, schema.reportColumns, 'investigation_id', [...rows.values()]);
  },

  async forget(tx, aggregates, tables) {
    const ids = aggregates.filter(isCaseAggregate).map(caseIdOf);
    if (ids.length > 0)
      await tx.query(`DELETE FROM ${pg.escapeIdentifier(tables.case_reports!)} WHERE case_id = ANY($1)`, [
        ids,
      ]);
  },
};
