import type { Reactor } from '../projections/engine/projection.js';
import { keySegment, type ObjectStore } from '../reports/object-store.js';
import { TarkaError } from '../shared/errors.js';
import { caseIdOf } from '../contract/case-id.js';

export interface ReportSnapshot {
  caseId: string;
  investigationId: string;
  anchor: string;
  seq: number;
  completedAt: string;
  /** Report version: 1 as completed, more after `tarka reanalyze` revised it. */
  version: number;
  report: unknown;
}

/** `<prefix>YYYY-MM-DD/<fingerprint>-<family>`, the day being the alert episode's start (UTC). */
export function reportKey(prefix: string, anchor: string, fingerprint: string, family: string): string {
  return `${prefix}${anchor.slice(0, 10)}/${keySegment(fingerprint)}-${keySegment(family)}`;
}

/**
 * Writes each completed investigation's report, and each revised version of it, as JSON and
 * Markdown (a revision that changed the family also changes the key; the old object stays). Keys are deterministic, so a
 * batch written twice (a crash before the checkpoint moved) only rewrites the same objects. A
 * reactor: uploads run outside any Postgres transaction, before the checkpoint moves. An upload
 * that fails is an outage (retried from the checkpoint), never the event's fault; a report that
 * cannot be rendered is, and is set aside. A set-aside report retried late does not replace a
 * newer snapshot already at its key.
 */
export function reportWriter(
  objects: ObjectStore,
  prefix: string,
  render: (report: unknown) => string,
): Reactor {
  return {
    name: 'reports',
    // 2: revised reports (ReportRevised) are written too.
    definitionVersion: 2,
    async react(events, options = {}) {
      for (const e of events) {
        if (e.type !== 'InvestigationCompleted' && e.type !== 'ReportRevised') continue;
        const d = e.data;
        const caseId = caseIdOf(e.aggregate);
        const family = String(d.report?.family ?? 'unknown');
        const key = reportKey(prefix, d.anchor, caseId, family);
        const snapshot: ReportSnapshot = {
          caseId,
          investigationId: d.investigationId,
          anchor: d.anchor,
          seq: e.seq,
          completedAt: e.occurredAt,
          version: e.type === 'ReportRevised' ? e.data.version : 1,
          report: d.report,
        };
        const markdown = render(d.report);
        if (options.late && (await newerAt(objects, `${key}.json`, e.seq))) continue;
        await upload(objects, `${key}.json`, JSON.stringify(snapshot, null, 2), 'application/json');
        await upload(objects, `${key}.md`, markdown, 'text/markdown; charset=utf-8');
      }
    },
  };
}

async function upload(objects: ObjectStore, key: string, body: string, contentType: string) {
  try {
    await objects.put(key, body, contentType);
  } catch (e) {
    throw new TarkaError(
      'TARKA_DEPENDENCY_DOWN',
      `could not write report ${key} to ${objects.describe()}: ${(e as Error).message}`,
      'check the object store (S3 settings, credentials, bucket); the report writer retries',
      { cause: e },
    );
  }
}

/** True when the object at key is a snapshot of a later event than seq. */
async function newerAt(objects: ObjectStore, key: string, seq: number): Promise<boolean> {
  let text: string | null;
  try {
    text = await objects.get(key);
  } catch (e) {
    throw new TarkaError(
      'TARKA_DEPENDENCY_DOWN',
      `could not read report ${key}: ${(e as Error).message}`,
      undefined,
      {
        cause: e,
      },
    );
  }
  if (text === null) return false;
  try {
    return Number((JSON.parse(text) as { seq?: unknown }).seq) > seq;
  } catch {
    return false;
  }
}
