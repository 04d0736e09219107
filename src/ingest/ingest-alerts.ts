import type { CaseCommandHandler } from '../commands/case/handler.js';
import type { Notification } from '../commands/case/commands.js';
import { normalizeAlert, type Payload } from './alertmanager-payload.js';

export interface IngestCounts {
  received: number;
  new: number;
  unchanged: number;
  resolved: number;
  rejected: number;
}

export type AlertOutcome = 'new' | 'unchanged' | 'resolved' | 'rejected';

/**
 * Splits a webhook group into one command per alert, each judged by its own status. Resolves only
 * when every append was acknowledged; any failure rejects the whole call so the sender retries
 * (the retry is absorbed: commands are idempotent).
 */
export async function ingestAlerts(
  handler: CaseCommandHandler,
  payload: Payload,
  /** Alert names to accept; null accepts every alert. */
  allowed: ReadonlySet<string> | null,
): Promise<IngestCounts> {
  const notification: Notification = {
    receiver: payload.receiver ?? null,
    groupKey: payload.groupKey ?? null,
    truncatedAlerts: payload.truncatedAlerts,
    reason: payload.notification_reason ?? null,
  };
  const outcomes = await Promise.all(
    payload.alerts.map(async (raw): Promise<AlertOutcome> => {
      const alert = normalizeAlert(raw);
      if (allowed && !allowed.has(alert.labels.alertname!)) return 'rejected';
      const startMs = Date.parse(alert.startsAt);
      // Deterministic ids: the same notification sent twice is one command, absorbed by JetStream.
      const commandId = `am:${alert.fingerprint}:${startMs}:${alert.status}`;
      const investigationId = `${alert.fingerprint}-${startMs.toString(36)}`;
      const res = await handler.handle(
        alert.fingerprint,
        { type: 'ReceiveAlert', alert, notification, investigationId },
        commandId,
        payload.groupKey ?? null,
      );
      if (res.duplicate || res.events.length === 0) return 'unchanged';
      return res.events.some((e) => e.type === 'AlertResolved') ? 'resolved' : 'new';
    }),
  );
  const counts: IngestCounts = { received: outcomes.length, new: 0, unchanged: 0, resolved: 0, rejected: 0 };
  for (const o of outcomes) counts[o]++;
  return counts;
}
