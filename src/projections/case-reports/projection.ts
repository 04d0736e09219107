import pg from 'pg';
import type { Projection } from '../engine/projection.js';
import { upsertForward } from '../engine/table-rows.js';
import { caseIdOf, isCaseAggregate } from '../../contract/case-id.js';
import { reportRowOf } from './evolve.js';
import * as schema from './schema.js';

/** Reports of finished investigations, one row each, newest event wins. */
export const reportsProjection: Projection = {
  name: 'case_reports',
  definitionVersion: 1,
  tables: schema.tables,
  indexes: schema.indexes,

  async apply(tx, events, tables) {
    const rows = new Map<string, schema.ReportRow>();
    for (const e of events) {
      const row = reportRowOf(e);
      if (row) rows.set(row.investigation_id, row);
    }
    if (rows.size > 0)
      await upsertForward(tx, tables.case_reports!, schema.reportColumns, 'investigation_id', [
        ...rows.values(),
      ]);
  },

  async forget(tx, aggregates, tables) {
    const ids = aggregates.filter(isCaseAggregate).map(caseIdOf);
    if (ids.length > 0)
      await tx.query(`DELETE FROM ${pg.escapeIdentifier(tables.case_reports!)} WHERE case_id = ANY($1)`, [
        ids,
      ]);
  },
};
