import pg from 'pg';
import type { Recorded } from '../../events/envelope.js';
import type { Projection } from '../engine/projection.js';
import { insertNew, upsertForward } from '../engine/table-rows.js';
import { caseIdOf, isCaseAggregate } from '../../contract/case-id.js';
import { addRow, emptyMemoryState, evolveMemory } from './evolve.js';
import {
  episodeKey,
  MEMORY_VIEW,
  memoryColumns,
  memoryIndexes,
  memoryTable,
  signatureColumns,
  signaturesIndexes,
  signaturesTable,
  SIGNATURES_VIEW,
  type MemoryRow,
} from './schema.js';

const ident = pg.escapeIdentifier;

/** Case memory: one row per case episode, with the features lookups compare and its resolution. */
export const memoryProjection: Projection = {
  name: 'memory',
  // 2: log signatures in a table of their own, indexed by signature and time.
  definitionVersion: 2,
  tables: { [MEMORY_VIEW]: memoryTable, [SIGNATURES_VIEW]: signaturesTable },
  indexes: { [MEMORY_VIEW]: memoryIndexes, [SIGNATURES_VIEW]: signaturesIndexes },

  async apply(tx, events, tables) {
    const table = tables[MEMORY_VIEW]!;
    const mine = events.filter((e) => isCaseAggregate(e.aggregate));
    if (mine.length === 0) return;
    const state = emptyMemoryState();
    for (const row of await rowsFor(tx, table, mine)) {
      addRow(state, row);
      state.stored.set(row.episode_key, row.last_seq);
    }
    const changed = new Set<string>();
    for (const e of mine) for (const key of evolveMemory(state, e)) changed.add(key);
    const rows = [...changed].map((k) => state.rows.get(k)!);
    await upsertForward(tx, table, memoryColumns, 'episode_key', rows);
    // A changed row's signatures are written again whole (a rerun's report may name others).
    const signatures = tables[SIGNATURES_VIEW]!;
    await tx.query(`DELETE FROM ${ident(signatures)} WHERE episode_key = ANY($1)`, [[...changed]]);
    await insertNew(
      tx,
      signatures,
      signatureColumns,
      rows.flatMap((r) =>
        r.signatures.map((signature) => ({
          episode_key: r.episode_key,
          case_id: r.case_id,
          signature,
          started_at: r.started_at,
        })),
      ),
    );
  },

  async forget(tx, aggregates, tables) {
    const ids = aggregates.filter(isCaseAggregate).map(caseIdOf);
    if (ids.length === 0) return;
    for (const view of [MEMORY_VIEW, SIGNATURES_VIEW])
      await tx.query(`DELETE FROM ${ident(tables[view]!)} WHERE case_id = ANY($1)`, [ids]);
  },
};

/**
 * The stored rows a batch may touch: the episodes its events name, each case's newest episode
 * (closing and reopening act on it) and the rows of the investigations it completes.
 */
async function rowsFor(tx: pg.ClientBase, table: string, events: Recorded[]): Promise<MemoryRow[]> {
  const cases = new Set<string>();
  const keys = new Set<string>();
  const investigations: [string, string][] = [];
  for (const e of events) {
    const caseId = caseIdOf(e.aggregate);
    cases.add(caseId);
    const d = e.data as { episode?: unknown; investigationId?: unknown };
    if (typeof d.episode === 'number') {
      keys.add(episodeKey(caseId, d.episode));
      if (e.type === 'AlertFired') keys.add(episodeKey(caseId, d.episode - 1));
    }
    if (e.type === 'InvestigationCompleted' && typeof d.investigationId === 'string')
      investigations.push([caseId, d.investigationId]);
  }
  const t = ident(table);
  const { rows } = await tx.query<{ r: MemoryRow }>(
    `SELECT row_to_json(t) AS r FROM ${t} t WHERE episode_key = ANY($1)
     UNION ALL
     SELECT row_to_json(l) FROM unnest($2::text[]) c(id)
       CROSS JOIN LATERAL (SELECT * FROM ${t} WHERE case_id = c.id ORDER BY episode DESC LIMIT 1) l
     UNION ALL
     SELECT row_to_json(t) FROM ${t} t
       JOIN unnest($3::text[], $4::text[]) i(case_id, investigation_id)
         ON t.case_id = i.case_id AND t.investigation_id = i.investigation_id`,
    [[...keys], [...cases], investigations.map((i) => i[0]), investigations.map((i) => i[1])],
  );
  const byKey = new Map<string, MemoryRow>();
  for (const { r } of rows) {
    const { log_lexemes: _l, summary_lexemes: _s, ...row } = r as MemoryRow & Record<string, unknown>;
    byKey.set(row.episode_key, { ...row, last_seq: Number(row.last_seq) });
  }
  return [...byKey.values()];
}
