import { storable, truncateUtf8, utf8Bytes } from '../shared/storable-text.js';
import type { InvestigationReport, Step } from './records.js';

// Every step event, failure text and report must fit one JetStream message (1 MB by default) and be
// storable by Postgres, whatever a collector returned: a 2 MB error page, a huge query, log lines
// holding NUL. Text is made storable and cut with a visible marker; lists are cut; and if a value is
// still too large it is replaced by a marked preview. Nothing here throws.

export const BOUNDS = {
  /** One step event (detail included). */
  stepBytes: 128 * 1024,
  /** The report in InvestigationCompleted (the analysis keeps it to tens of KB already). */
  reportBytes: 512 * 1024,
  /** Error texts: a failed investigation, a collector's error. */
  errorBytes: 4096,
  /** Queries shown with each step (and copied by on-call). */
  queryBytes: 16 * 1024,
  summaryBytes: 1000,
  /** Any other string inside a step's detail, e.g. one log line. */
  stringBytes: 8192,
  /** Items kept of any list inside a step's detail. */
  listItems: 500,
} as const;

interface Shape {
  stringBytes: number;
  listItems: number;
}

/** Storable text of at most `maxBytes` UTF-8 bytes, with a marker when cut. */
export const boundText = (s: string, maxBytes: number): string => truncateUtf8(storable(s), maxBytes);

/** The text of a failure, as InvestigationFailed carries it. */
export const boundError = (s: string): string => boundText(s, BOUNDS.errorBytes);

/** A copy of a JSON value whose strings and lists are cut to the shape; `cut` tells if anything was. */
function shrink(value: unknown, shape: Shape, cut: { any: boolean }, depth = 0): unknown {
  if (typeof value === 'string') {
    const b = boundText(value, shape.stringBytes);
    if (b !== value) cut.any = true;
    return b;
  }
  if (value === null || typeof value !== 'object') return value;
  if (depth > 32) {
    cut.any = true;
    return null;
  }
  if (Array.isArray(value)) {
    if (value.length > shape.listItems) cut.any = true;
    return value.slice(0, shape.listItems).map((v) => shrink(v, shape, cut, depth + 1));
  }
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    const key = boundText(k, 256);
    if (key !== k) cut.any = true;
    Object.defineProperty(out, key, {
      value: shrink(v, shape, cut, depth + 1),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return out;
}

const jsonBytes = (v: unknown) => utf8Bytes(JSON.stringify(v) ?? 'null');

/**
 * A value cut until it fits `maxBytes` as JSON: strings and lists are halved a few times, keeping
 * the shape readers expect; as a last resort it becomes `{ truncated: true, preview }`.
 */
export function boundValue(value: unknown, maxBytes: number, start: Shape): { value: unknown; cut: boolean } {
  const cut = { any: false };
  let shape = { ...start };
  let v = shrink(value, shape, cut);
  for (let i = 0; i < 6 && jsonBytes(v) > maxBytes; i++) {
    shape = {
      stringBytes: Math.max(64, shape.stringBytes >> 1),
      listItems: Math.max(5, shape.listItems >> 1),
    };
    v = shrink(value, shape, cut);
  }
  if (jsonBytes(v) > maxBytes) {
    const preview = boundText(JSON.stringify(v) ?? 'null', Math.max(256, maxBytes - 256));
    return { value: { truncated: true, preview }, cut: true };
  }
  return { value: v, cut: cut.any };
}

/** A step as it may be stored: bounded texts, a bounded detail, `detail.truncated` set when cut. */
export function boundStep(step: Step): Step {
  const summary = boundText(step.summary, BOUNDS.summaryBytes);
  let detail = step.detail;
  if (detail !== undefined && detail !== null && typeof detail === 'object' && !Array.isArray(detail)) {
    const d = { ...(detail as Record<string, unknown>) };
    let cut = false;
    if (typeof d.query === 'string') {
      const q = boundText(d.query, BOUNDS.queryBytes);
      cut ||= q !== d.query;
      d.query = q;
    }
    if (typeof d.error === 'string') {
      const e = boundText(d.error, BOUNDS.errorBytes);
      cut ||= e !== d.error;
      d.error = e;
    }
    const room = BOUNDS.stepBytes - utf8Bytes(summary) - 1024;
    const bounded = boundValue(d, room, { stringBytes: BOUNDS.queryBytes, listItems: BOUNDS.listItems });
    detail = bounded.value;
    if ((cut || bounded.cut) && typeof detail === 'object' && detail !== null && !('preview' in detail)) {
      detail = { ...(detail as Record<string, unknown>), truncated: true };
    }
  } else if (detail !== undefined) {
    detail = boundValue(detail, BOUNDS.stepBytes - 1024, {
      stringBytes: BOUNDS.stringBytes,
      listItems: BOUNDS.listItems,
    }).value;
  }
  return {
    ...step,
    step: boundText(step.step, 200),
    summary,
    ...(detail === undefined ? {} : { detail }),
  };
}

/**
 * The report as InvestigationCompleted carries it. The analysis bounds every field by its schema;
 * this is the guarantee behind it (and makes any text storable), keeping the report's shape.
 */
export function boundReport(
  report: InvestigationReport,
  maxBytes: number = BOUNDS.reportBytes,
): InvestigationReport {
  const { value } = boundValue(report, maxBytes, { stringBytes: 64 * 1024, listItems: 1000 });
  if (typeof value === 'object' && value !== null && !('preview' in value))
    return value as InvestigationReport;
  // Cannot happen with a report that fits its schema; if it does, keep what the case list reads.
  return {
    family: boundText(String(report.family), 100),
    classification: boundText(String(report.classification), 100),
    summary: boundText(String(report.summary), BOUNDS.summaryBytes),
    truncated: true,
  };
}
