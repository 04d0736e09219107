import type { CaseCommandHandler } from '../commands/case/handler.js';
import type { Notification } from '../commands/case/commands.js';
import { TarkaError } from '../shared/errors.js';
import type { Payload } from './alertmanager-payload.js';
import { screenAlert, screenNotification, type AlertLimits } from './screen-alert.js';

export interface IngestCounts {
  received: number;
  new: number;
  unchanged: number;
  resolved: number;
  rejected: number;
}

export interface IngestResult extends IngestCounts {
  /** Fields that were stored changed (text made storable, annotations cut, fingerprint corrected). */
  warnings: string[];
  /** Alerts refused, each naming its field; they are counted in `rejected`. */
  problems: string[];
  /** Receiver, group key and reason as stored. */
  notification: Notification;
}

export type AlertOutcome = 'new' | 'unchanged' | 'resolved' | 'rejected';

export interface IngestOptions {
  /** Alert names to accept; null accepts every alert. */
  allowed: ReadonlySet<string> | null;
  limits: AlertLimits;
  /** Alerts of this request appended at once. */
  concurrency: number;
  now?: Date;
}

/** Lists shown to the sender and in logs stay short whatever the payload holds. */
const MAX_LISTED = 20;
const bounded = (items: string[]) =>
  items.length <= MAX_LISTED
    ? items
    : [...items.slice(0, MAX_LISTED), `… and ${items.length - MAX_LISTED} more`];

/**
 * Splits a webhook group into one command per alert, each judged by its own status. Resolves only
 * when every append was acknowledged; any store failure rejects the whole call so the sender
 * retries (the retry is absorbed: commands are idempotent).
 *
 * An alert that cannot be stored is refused on its own, so one bad alert does not hide the rest of
 * its group (Alertmanager drops a whole notification it got a 4xx for, and sends it again, bad alert
 * included, every repeat_interval). Only when no alert of the request can be stored is the request
 * refused: 413 when size is why, else 400, naming the fields.
 */
export async function ingestAlerts(
  handler: CaseCommandHandler,
  payload: Payload,
  options: IngestOptions,
): Promise<IngestResult> {
  const now = (options.now ?? new Date()).getTime();
  const { notification, warnings } = screenNotification(payload);
  const problems: string[] = [];
  const screened = payload.alerts.map((raw, i) => {
    const s = screenAlert(raw, `alerts[${i}]`, options.limits, now, notification);
    if (s.ok) warnings.push(...s.warnings);
    else problems.push(s.problem);
    return s;
  });
  if (screened.length > 0 && screened.every((s) => !s.ok)) {
    const tooLarge = screened.every((s) => !s.ok && s.status === 413);
    throw new TarkaError(
      tooLarge ? 'TARKA_WEBHOOK_TOO_LARGE' : 'TARKA_WEBHOOK_BAD_PAYLOAD',
      bounded(problems).slice(0, 5).join('; '),
      tooLarge
        ? 'this alert cannot be stored whole: shorten its labels or raise the ALERT_MAX_* limits named above'
        : 'fix the fields named above at the sender (Prometheus rule or clock)',
    );
  }
  // Deterministic ids: the same notification sent twice is one command, absorbed by JetStream.
  const credibleUntil = new Date(now + options.limits.clockSkewMs).toISOString();
  const outcomes = await mapLimited(screened, options.concurrency, async (s, i): Promise<AlertOutcome> => {
    if (!s.ok) return 'rejected';
    const { alert } = s;
    if (options.allowed && !options.allowed.has(alert.labels.alertname!)) return 'rejected';
    const startMs = Date.parse(alert.startsAt);
    const commandId = `am:${alert.fingerprint}:${startMs}:${alert.status}`;
    const investigationId = `${alert.fingerprint}-${startMs.toString(36)}`;
    let res;
    try {
      res = await handler.handle(
        alert.fingerprint,
        { type: 'ReceiveAlert', alert, notification, investigationId, credibleUntil },
        commandId,
        notification.groupKey,
      );
    } catch (e) {
      // Screening sizes alerts to the server's max_payload; should one still not fit, it is a
      // payload problem (the sender must not retry it for ever), not an outage.
      if (!tooLargeForNats(e)) throw e;
      problems.push(`alerts[${i}]: larger than one JetStream message (max_payload) even after shortening`);
      return 'rejected';
    }
    if (res.duplicate || res.events.length === 0) return 'unchanged';
    return res.events.some((e) => e.type === 'AlertResolved') ? 'resolved' : 'new';
  });
  const counts: IngestCounts = { received: outcomes.length, new: 0, unchanged: 0, resolved: 0, rejected: 0 };
  for (const o of outcomes) counts[o]++;
  if (counts.received > 0 && counts.rejected === counts.received && problems.length === counts.received) {
    throw new TarkaError(
      'TARKA_WEBHOOK_TOO_LARGE',
      bounded(problems).slice(0, 5).join('; '),
      'shorten the alert’s labels and annotations',
    );
  }
  return { ...counts, warnings: bounded(warnings), problems: bounded(problems), notification };
}

/** NATS refused the message for its size (the client checks max_payload before sending). */
function tooLargeForNats(e: unknown): boolean {
  for (let c: unknown = e; c; c = (c as { cause?: unknown }).cause) {
    if ((c as { code?: string }).code === 'MAX_PAYLOAD_EXCEEDED') return true;
  }
  return false;
}

/** Like Promise.all over `items`, with at most `limit` calls pending at once; fails on the first failure. */
async function mapLimited<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const lane = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
  return out;
}
