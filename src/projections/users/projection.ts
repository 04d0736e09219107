import pg from 'pg';
import type { Projection } from '../engine/projection.js';
import { readRows, upsertForward } from '../engine/table-rows.js';
import { evolveUserRow } from './evolve.js';
import * as schema from './schema.js';
import type { UserRow } from './schema.js';

const ident = pg.escapeIdentifier;
const isUser = (aggregate: string) => aggregate.startsWith('user.');
const idOf = (aggregate: string) => aggregate.slice('user.'.length);

/** The users read model (admin page, `tarka users list`): one row per user aggregate. */
export const usersProjection: Projection = {
  name: 'users',
  definitionVersion: 1,
  tables: schema.tables,
  indexes: schema.indexes,

  async apply(tx, events, tables) {
    const table = tables.users!;
    const ids = [...new Set(events.filter((e) => isUser(e.aggregate)).map((e) => idOf(e.aggregate)))];
    if (ids.length === 0) return;
    const rows = await readRows<UserRow>(tx, table, 'user_id', ids);
    const byId = new Map<string, UserRow | null>(rows.map((r) => [r.user_id, r]));
    const changed = new Set<string>();
    for (const e of events) {
      if (!isUser(e.aggregate)) continue;
      const id = idOf(e.aggregate);
      const row = byId.get(id) ?? null;
      // Already applied (a replayed batch): rows carry the position that last changed them.
      if (row && (e.seq < row.last_seq || (e.seq === row.last_seq && e.index <= row.last_index))) continue;
      const after = evolveUserRow(row, e);
      if (after) {
        byId.set(id, after);
        changed.add(id);
      }
    }
    const out = [...changed].map((id) => byId.get(id)).filter((r): r is UserRow => !!r);
    await upsertForward(tx, table, schema.userColumns, 'user_id', out);
  },

  async forget(tx, aggregates, tables) {
    const ids = aggregates.filter(isUser).map(idOf);
    if (ids.length) await tx.query(`DELETE FROM ${ident(tables.users!)} WHERE user_id = ANY($1)`, [ids]);
  },
};
