import type { CollectorStatus, EvidenceItem, EvidenceRequest } from './evidence.js';

// What every collector shares: the time window, the per-call context and the way an outcome
// becomes an EvidenceItem. Collectors return items themselves so each can be used on its own;
// run.ts re-measures startedAt/durationMs around the whole call.

export interface TimeWindow {
  start: Date;
  end: Date;
}

export interface CollectContext {
  /** Aborts every request of one collect() call when its timeout is reached. */
  signal: AbortSignal;
  /** The timeout behind `signal`, so messages can say how long we waited. */
  timeoutMs: number;
}

export const DEFAULT_TIMEOUT_MS = 5_000;

/** Bounds for any log-like evidence (logs backends and Kubernetes pod logs). */
export const MAX_LOG_LINES = 200;
export const MAX_LINE_CHARS = 2_000;

export function timeoutContext(timeoutMs = DEFAULT_TIMEOUT_MS): CollectContext {
  return { signal: AbortSignal.timeout(timeoutMs), timeoutMs };
}

/** The part of an item a collector decides; the rest comes from the request and the clock. */
export interface Outcome<T> {
  status: CollectorStatus;
  query: string;
  data?: T | null;
  error?: string;
  truncated?: boolean;
  /** Replaces the request's title, e.g. to say logs came from a fallback. */
  title?: string;
}

export function toItem<T>(request: EvidenceRequest, startedAt: Date, outcome: Outcome<T>): EvidenceItem<T> {
  const item: EvidenceItem<T> = {
    id: request.id,
    title: outcome.title ?? request.title,
    source: request.source,
    kind: request.kind,
    status: outcome.status,
    query: outcome.query,
    startedAt: startedAt.toISOString(),
    durationMs: Date.now() - startedAt.getTime(),
    // The contract: data only travels with status ok.
    data: outcome.status === 'ok' ? (outcome.data ?? null) : null,
  };
  if (outcome.error !== undefined) item.error = outcome.error;
  if (outcome.truncated) item.truncated = true;
  return item;
}

/** Cuts a string to at most `max` characters; reports whether it did. */
export function capText(text: string, max: number): { text: string; cut: boolean } {
  return text.length > max ? { text: text.slice(0, max), cut: true } : { text, cut: false };
}
