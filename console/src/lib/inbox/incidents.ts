import { getJSON } from '../api';
import type { CaseView } from '../../../../src/contract/views.js';
import type { IncidentDetail, IncidentView } from '../../../../src/contract/incidents.js';

/** A line of the collapsed inbox: a case on its own, or the cases of one incident on this page. */
export type InboxLine =
  | { kind: 'case'; c: CaseView; index: number }
  | { kind: 'incident'; incidentId: string; members: { c: CaseView; index: number }[] };

/**
 * Collapses the page's cases by incident: an incident with two or more cases here becomes one
 * line, placed where its most recent case was; the rest stay as they are. Pure.
 */
export function collapse(rows: CaseView[], incidentOf: Record<string, string>): InboxLine[] {
  const counts = new Map<string, number>();
  for (const c of rows) {
    const id = incidentOf[c.caseId];
    if (id) counts.set(id, (counts.get(id) ?? 0) + 1);
  }
  const lines: InboxLine[] = [];
  const placed = new Map<string, Extract<InboxLine, { kind: 'incident' }>>();
  rows.forEach((c, index) => {
    const id = incidentOf[c.caseId];
    if (!id || (counts.get(id) ?? 0) < 2) return void lines.push({ kind: 'case', c, index });
    let line = placed.get(id);
    if (!line) {
      line = { kind: 'incident', incidentId: id, members: [] };
      placed.set(id, line);
      lines.push(line);
    }
    line.members.push({ c, index });
  });
  return lines;
}

export const listIncidents = (query = 'minMembers=2&limit=200') =>
  getJSON<{ incidents: IncidentView[]; total: number }>(`/api/incidents?${query}`);

export const getIncident = (id: string) =>
  getJSON<IncidentDetail>(`/api/incidents/${encodeURIComponent(id)}`);

async function post(path: string, body: object): Promise<{ changed: boolean }> {
  const res = await fetch(path, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const json = await res.json().catch(() => ({}));
  if (!res.ok) throw new Error(json.message ?? `${res.status} ${res.statusText}`);
  return json;
}

export const splitCase = (incidentId: string, caseId: string, note: string | null) =>
  post(`/api/incidents/${encodeURIComponent(incidentId)}/split`, { caseId, note });

export const mergeIncidents = (into: string, from: string[], note: string | null) =>
  post('/api/incidents/merge', { into, from, note });

/** "same rollout ×120, same alert ×80" */
export const reasonsText = (reasons: Record<string, number>) =>
  Object.entries(reasons)
    .sort((a, b) => b[1] - a[1])
    .map(([k, n]) => `${k.replace(/_/g, ' ')} ×${n}`)
    .join(', ');
