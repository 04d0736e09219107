// Typed, defensive access to EvidenceItems. Collectors are written separately, so data is checked
// for the expected shape before use; anything malformed is treated as "no data", never trusted.

import type {
  AlertsData,
  EventsData,
  EvidenceItem,
  EvidenceRequest,
  InstantData,
  LogsData,
  NodeData,
  PodData,
  RangeData,
  SilencesData,
  WorkloadData,
} from '../collectors/evidence.js';

export interface Found<T> {
  item: EvidenceItem;
  data: T;
}

type Kind = EvidenceRequest['kind'];

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;
const hasArray = (v: unknown, key: string): boolean => isObj(v) && Array.isArray(v[key]);

const seriesOf = (d: unknown): unknown[] =>
  hasArray(d, 'series') ? ((d as { series: unknown[] }).series ?? []) : [];

const guards: Partial<Record<Kind, (d: unknown) => boolean>> = {
  instant: (d) => hasArray(d, 'series') && seriesOf(d).every((s) => isObj(s) && typeof s.value === 'number'),
  range: (d) => hasArray(d, 'series') && seriesOf(d).every((s) => isObj(s) && Array.isArray(s.points)),
  series: (d) => hasArray(d, 'series'),
  alerts: (d) => hasArray(d, 'alerts'),
  silences: (d) => hasArray(d, 'silences'),
  pod: (d) => hasArray(d, 'containers') && hasArray(d, 'owners'),
  workload: (d) => hasArray(d, 'revisions') && hasArray(d, 'conditions'),
  events: (d) => hasArray(d, 'events'),
  node: (d) => hasArray(d, 'conditions'),
  previous_logs: (d) => hasArray(d, 'lines'),
  logs: (d) => hasArray(d, 'lines'),
};

/** The item's data when it is `ok` and has the shape its kind promises. */
export function okData<T>(item: EvidenceItem | undefined): T | null {
  if (!item || item.status !== 'ok' || item.data == null) return null;
  const guard = guards[item.kind];
  return guard && !guard(item.data) ? null : (item.data as T);
}

export function byId(evidence: readonly EvidenceItem[], id: string): EvidenceItem | undefined {
  return evidence.find((e) => e.id === id);
}

/** Item by planner id, falling back to the first item of that kind (for hand-made evidence). */
export function pick(evidence: readonly EvidenceItem[], id: string, kind: Kind): EvidenceItem | undefined {
  return byId(evidence, id) ?? evidence.find((e) => e.kind === kind);
}

function found<T>(item: EvidenceItem | undefined): Found<T> | null {
  const data = okData<T>(item);
  return item && data ? { item, data } : null;
}

export const view = {
  range: (ev: readonly EvidenceItem[], id: string) => found<RangeData>(byId(ev, id)),
  instant: (ev: readonly EvidenceItem[], id: string) => found<InstantData>(byId(ev, id)),
  pod: (ev: readonly EvidenceItem[], id: string) => found<PodData>(pick(ev, id, 'pod')),
  workload: (ev: readonly EvidenceItem[], id: string) => found<WorkloadData>(pick(ev, id, 'workload')),
  node: (ev: readonly EvidenceItem[], id: string) => found<NodeData>(pick(ev, id, 'node')),
  alerts: (ev: readonly EvidenceItem[], id: string) => found<AlertsData>(pick(ev, id, 'alerts')),
  silences: (ev: readonly EvidenceItem[], id: string) => found<SilencesData>(pick(ev, id, 'silences')),
  events: (ev: readonly EvidenceItem[]): Found<EventsData>[] =>
    ev.filter((e) => e.kind === 'events').flatMap((e) => found<EventsData>(e) ?? []),
  logs: (ev: readonly EvidenceItem[]): Found<LogsData>[] =>
    ev
      .filter((e) => e.kind === 'logs' || e.kind === 'previous_logs')
      .flatMap((e) => found<LogsData>(e) ?? []),
};

/** Did the collector answer (with or without data)? `unavailable`/`error` mean we do not know. */
export function answered(item: EvidenceItem | undefined): boolean {
  return !!item && (item.status === 'ok' || item.status === 'empty');
}

export function isEmpty(item: EvidenceItem | undefined): boolean {
  return !!item && item.status === 'empty';
}
