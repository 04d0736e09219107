import type { Projection } from './projection.js';
import type { CaseEventOf } from '../events/case-events.js';
import { keySegment, type ObjectStore } from '../reports/object-store.js';

export interface ReportSnapshot {
  caseId: string;
  investigationId: string;
  anchor: string;
  seq: number;
  completedAt: string;
  report: unknown;
}

/** `<prefix>YYYY-MM-DD/<fingerprint>-<family>`, the day being the alert episode's start (UTC). */
export function reportKey(prefix: string, anchor: string, fingerprint: string, family: string): string {
  return `${prefix}${anchor.slice(0, 10)}/${keySegment(fingerprint)}-${keySegment(family)}`;
}

/**
 * Writes each completed investigation's report as JSON and Markdown. Keys are deterministic, so a
 * batch written twice (a crash before the checkpoint moved) only rewrites the same objects.
 */
export function reportProjection(
  objects: ObjectStore,
  prefix: string,
  render: (report: unknown) => string,
): Projection {
  return {
    name: 'reports',
    definitionVersion: 1,
    tables: {},
    async apply(_tx, events) {
      for (const e of events) {
        if (e.type !== 'InvestigationCompleted') continue;
        const d = e.data as CaseEventOf<'InvestigationCompleted'>['data'];
        const caseId = e.aggregate.slice('case.'.length);
        const family = String((d.report as { family?: unknown })?.family ?? 'unknown');
        const key = reportKey(prefix, d.anchor, caseId, family);
        const snapshot: ReportSnapshot = {
          caseId,
          investigationId: d.investigationId,
          anchor: d.anchor,
          seq: e.seq,
          completedAt: e.occurredAt,
          report: d.report,
        };
        await objects.put(`${key}.json`, JSON.stringify(snapshot, null, 2), 'application/json');
        await objects.put(`${key}.md`, render(d.report), 'text/markdown; charset=utf-8');
      }
    },
  };
}
