import pg from 'pg';
import type { Projection } from '../engine/projection.js';
import { readRows, upsertForward } from '../engine/table-rows.js';
import { incidentIdOf, isIncidentAggregate } from '../../contract/incident-id.js';
import { evolveIncidentRows, type IncidentRows } from './evolve.js';
import {
  incidentColumns,
  indexes,
  memberColumns,
  tables,
  type IncidentRow,
  type MemberRow,
} from './schema.js';

const ident = pg.escapeIdentifier;

/** Incidents (alert storms) and their member cases, with a reason per member. */
export const incidentsProjection: Projection = {
  name: 'incidents',
  definitionVersion: 1,
  tables,
  indexes,

  async apply(tx, events, t) {
    const mine = events.filter((e) => isIncidentAggregate(e.aggregate));
    if (mine.length === 0) return;
    const ids = [...new Set(mine.map((e) => incidentIdOf(e.aggregate)))];
    const incidents = await readRows<IncidentRow>(tx, t.incidents!, 'incident_id', ids);
    const members = await readRows<MemberRow>(tx, t.incident_members!, 'incident_id', ids);
    const rows: IncidentRows = {
      incidents: new Map(incidents.map((r) => [r.incident_id, r])),
      members: new Map(members.map((r) => [r.member_id, r])),
    };
    const changed = new Set<string>();
    for (const e of mine) for (const k of evolveIncidentRows(rows, e)) changed.add(k);
    const pick = <T>(prefix: string, m: Map<string, T>) =>
      [...changed].filter((k) => k.startsWith(prefix)).map((k) => m.get(k.slice(2))!);
    await upsertForward(tx, t.incidents!, incidentColumns, 'incident_id', pick('i:', rows.incidents));
    await upsertForward(tx, t.incident_members!, memberColumns, 'member_id', pick('m:', rows.members));
  },

  async forget(tx, aggregates, t) {
    const ids = aggregates.filter(isIncidentAggregate).map(incidentIdOf);
    if (ids.length === 0) return;
    await tx.query(`DELETE FROM ${ident(t.incident_members!)} WHERE incident_id = ANY($1)`, [ids]);
    await tx.query(`DELETE FROM ${ident(t.incidents!)} WHERE incident_id = ANY($1)`, [ids]);
  },
};
