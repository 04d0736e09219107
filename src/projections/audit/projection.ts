import pg from 'pg';
import type { Projection } from '../engine/projection.js';
import { insertNew } from '../engine/table-rows.js';
import { auditRow } from './evolve.js';
import * as schema from './schema.js';
import type { AuditRow } from './schema.js';

/** The audit trail read model (admins' audit page): append only, one row per audited event. */
export const auditProjection: Projection = {
  name: 'audit',
  definitionVersion: 1,
  tables: schema.tables,
  indexes: schema.indexes,

  async apply(tx, events, tables) {
    const rows = events.map(auditRow).filter((r): r is AuditRow => r !== null);
    // Keyed by log position: a replayed batch inserts nothing twice.
    await insertNew(tx, tables.audit!, schema.auditColumns, rows);
  },

  async forget(tx, aggregates, tables) {
    await tx.query(`DELETE FROM ${pg.escapeIdentifier(tables.audit!)} WHERE aggregate = ANY($1)`, [
      aggregates,
    ]);
  },
};
