import pg from 'pg';
import type { Projection } from '../engine/projection.js';
import { upsertForward } from '../engine/table-rows.js';
import { caseIdOf, isCaseAggregate } from '../../contract/case-id.js';
import { usageRowOf } from './evolve.js';
import * as schema from './schema.js';

/** LLM calls, one row per recording event. */
export const llmUsageProjection: Projection = {
  name: 'llm_usage',
  definitionVersion: 2,
  tables: schema.tables,
  indexes: schema.indexes,

  async apply(tx, events, tables) {
    const rows = events.map(usageRowOf).filter((r): r is schema.LlmUsageRow => r !== null);
    if (rows.length > 0) await upsertForward(tx, tables.llm_usage!, schema.usageColumns, 'event_id', rows);
  },

  async forget(tx, aggregates, tables) {
    const ids = aggregates.filter(isCaseAggregate).map(caseIdOf);
    if (ids.length > 0)
      await tx.query(`DELETE FROM ${pg.escapeIdentifier(tables.llm_usage!)} WHERE case_id = ANY($1)`, [ids]);
  },
};
