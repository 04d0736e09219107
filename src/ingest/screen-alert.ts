import type { z } from 'zod';
import type { Alert, Notification } from '../commands/case/commands.js';
import { fitsUtf8, isUnstorable, storable, truncateUtf8, utf8Bytes } from '../shared/storable-text.js';
import { fieldName, labelsFingerprint, type alertSchema, type Payload } from './alertmanager-payload.js';

// What an alert may hold before it is stored. Labels are the alert's identity: they are kept whole
// or the alert is refused. Everything else (annotations, URLs, receiver, group key) is shortened
// with a visible marker rather than refused, because a refused alert is an alert on-call never sees.

export interface AlertLimits {
  maxLabels: number;
  maxLabelNameBytes: number;
  maxLabelValueBytes: number;
  maxAnnotationValueBytes: number;
  /** How far ahead of our clock a startsAt may be (clocks drift a little). */
  clockSkewMs: number;
  /** The largest JetStream message the server takes (its max_payload). */
  maxMessageBytes: number;
}

export type RawAlert = z.infer<typeof alertSchema>;

export type Screened =
  { ok: true; alert: Alert; warnings: string[] } | { ok: false; status: 400 | 413; problem: string };

const ZERO_TIME = Date.parse('0001-01-01T00:00:00Z');
/** Alertmanager did not exist before 2015: an earlier start is a broken clock, not a long-firing alert. */
const EARLIEST_START = Date.parse('2015-01-01T00:00:00Z');
/** Room in one message for the envelopes and the InvestigationRequested event beside AlertFired. */
const MESSAGE_OVERHEAD = 4096;
/** Receiver, group key and reason travel in every AlertFired of a group. */
const MAX_NOTIFICATION_FIELD_BYTES = 4096;
const REPLACED = 'NUL or unpaired UTF-16 surrogate replaced with U+FFFD';

/** The notification part of a payload, made storable and bounded. */
export function screenNotification(payload: Payload): { notification: Notification; warnings: string[] } {
  const warnings: string[] = [];
  const text = (field: string, value: string | undefined): string | null => {
    if (value === undefined) return null;
    let v = storable(value);
    if (v !== value) warnings.push(`${field}: ${REPLACED}`);
    const cut = truncateUtf8(v, MAX_NOTIFICATION_FIELD_BYTES);
    if (cut !== v) warnings.push(`${field}: cut to ${MAX_NOTIFICATION_FIELD_BYTES} bytes`);
    v = cut;
    return v;
  };
  return {
    notification: {
      receiver: text('receiver', payload.receiver),
      groupKey: text('groupKey', payload.groupKey),
      truncatedAlerts: payload.truncatedAlerts,
      reason: text('notification_reason', payload.notification_reason),
    },
    warnings,
  };
}

/**
 * Checks one alert and makes it storable. `at` names it in messages (`alerts[3]`); `now` is the
 * receiver's clock. Refuses (400/413, naming the field) only what cannot be stored faithfully.
 */
export function screenAlert(
  raw: RawAlert,
  at: string,
  limits: AlertLimits,
  now: number,
  notification: Notification,
): Screened {
  const refuse = (status: 400 | 413, problem: string): Screened => ({ ok: false, status, problem });
  const startMs = Date.parse(raw.startsAt);
  if (!Number.isFinite(startMs)) return refuse(400, `${at}.startsAt: ${raw.startsAt} is not a real date`);
  if (startMs > now + limits.clockSkewMs) {
    const ahead = Math.round((startMs - now) / 60_000);
    return refuse(
      400,
      `${at}.startsAt: ${raw.startsAt} is ${ahead} min ahead of Tarka's clock, more than ALERT_MAX_CLOCK_SKEW allows; check the sender's clock`,
    );
  }
  if (startMs < EARLIEST_START) {
    return refuse(400, `${at}.startsAt: ${raw.startsAt} is before 2015-01-01, not a real alert start`);
  }

  const names = Object.keys(raw.labels);
  if (names.length > limits.maxLabels) {
    return refuse(
      413,
      `${at}.labels: ${names.length} labels, more than ALERT_MAX_LABELS (${limits.maxLabels})`,
    );
  }
  for (const name of names) {
    const value = raw.labels[name]!;
    if (fitsUtf8(name, limits.maxLabelNameBytes) && fitsUtf8(value, limits.maxLabelValueBytes)) continue;
    const where = `${at}.labels${fieldName(name)}`;
    if (utf8Bytes(name) > limits.maxLabelNameBytes) {
      return refuse(
        413,
        `${where}: the name has ${utf8Bytes(name)} bytes, more than ALERT_MAX_LABEL_NAME_BYTES (${limits.maxLabelNameBytes})`,
      );
    }
    if (utf8Bytes(value) > limits.maxLabelValueBytes) {
      return refuse(
        413,
        `${where}: the value has ${utf8Bytes(value)} bytes, more than ALERT_MAX_LABEL_VALUE_BYTES (${limits.maxLabelValueBytes}); labels are the alert's identity and are never shortened`,
      );
    }
  }

  const warnings: string[] = [];
  // Identity follows the labels as the sender sent them, exactly as Alertmanager computes it, so a
  // sender cannot aim its alert at another case by naming that case's fingerprint.
  const fingerprint = labelsFingerprint(raw.labels);
  if (raw.fingerprint && raw.fingerprint.toLowerCase() !== fingerprint) {
    warnings.push(
      `${at}.fingerprint: ${raw.fingerprint} does not match the alert's labels; filed under ${fingerprint}, Alertmanager's fingerprint of them`,
    );
  }

  // Almost every alert is stored as sent: its label and annotation sets (already copies, made by
  // the payload schema) are kept rather than copied again.
  const labelsAsSent = names.every((n) => !isUnstorable(n) && !isUnstorable(raw.labels[n]!));
  const labels: Record<string, string> = labelsAsSent ? raw.labels : Object.create(null);
  for (const name of labelsAsSent ? [] : names) {
    const key = storable(name);
    const value = storable(raw.labels[name]!);
    if (key !== name || value !== raw.labels[name])
      warnings.push(`${at}.labels${fieldName(name)}: ${REPLACED}`);
    if (Object.hasOwn(labels, key)) {
      return refuse(
        400,
        `${at}.labels${fieldName(name)}: cannot be stored: the name is the same as another label's once its NUL or unpaired surrogate is replaced`,
      );
    }
    labels[key] = value;
  }

  const rawAnnotations: Record<string, string> = raw.annotations ?? Object.create(null);
  const annotationsAsSent = Object.entries(rawAnnotations).every(
    ([n, v]) =>
      !isUnstorable(n) &&
      !isUnstorable(v) &&
      fitsUtf8(n, limits.maxLabelNameBytes) &&
      fitsUtf8(v, limits.maxAnnotationValueBytes),
  );
  const annotations: Record<string, string> = annotationsAsSent ? rawAnnotations : Object.create(null);
  for (const [name, rawValue] of annotationsAsSent ? [] : Object.entries(rawAnnotations)) {
    const where = () => `${at}.annotations${fieldName(name)}`;
    const key = storable(name);
    if (!fitsUtf8(key, limits.maxLabelNameBytes) || Object.hasOwn(annotations, key)) {
      warnings.push(`${where()}: dropped (name longer than ALERT_MAX_LABEL_NAME_BYTES, or repeated)`);
      continue;
    }
    let value = storable(rawValue);
    if (key !== name || value !== rawValue) warnings.push(`${where()}: ${REPLACED}`);
    const cut = truncateUtf8(value, limits.maxAnnotationValueBytes);
    if (cut !== value)
      warnings.push(
        `${where()}: cut to ALERT_MAX_ANNOTATION_VALUE_BYTES (${limits.maxAnnotationValueBytes})`,
      );
    value = cut;
    annotations[key] = value;
  }

  let generatorURL: string | null = raw.generatorURL ? storable(raw.generatorURL) : null;
  if (generatorURL !== null && generatorURL !== raw.generatorURL)
    warnings.push(`${at}.generatorURL: ${REPLACED}`);
  if (generatorURL !== null && !fitsUtf8(generatorURL, limits.maxAnnotationValueBytes)) {
    // A shortened URL is a wrong link: leave it out instead.
    warnings.push(`${at}.generatorURL: dropped (longer than ALERT_MAX_ANNOTATION_VALUE_BYTES)`);
    generatorURL = null;
  }

  // The whole AlertFired must fit one JetStream message. Annotations give way first, halving their
  // cap until they fit; labels cannot.
  // The group key also travels as the correlation id of both envelopes.
  // Most alerts are a few KB: a bound (6 bytes per UTF-16 unit covers any JSON escape or UTF-8
  // sequence) spares them the exact count.
  const overhead = MESSAGE_OVERHEAD + 2 * 6 * ((notification.groupKey?.length ?? 0) + 2);
  const size = () =>
    utf8Bytes(JSON.stringify({ labels, annotations, generatorURL, notification })) + overhead;
  const bound = (o: Record<string, string>) => {
    let n = 0;
    for (const k in o) n += 6 * (k.length + o[k]!.length) + 6;
    return n;
  };
  const notificationLength =
    (notification.receiver?.length ?? 0) +
    (notification.groupKey?.length ?? 0) +
    (notification.reason?.length ?? 0) +
    100;
  const roughly =
    bound(labels) + bound(annotations) + 6 * ((generatorURL?.length ?? 0) + notificationLength) + overhead;
  let cap = limits.maxAnnotationValueBytes;
  while (
    roughly > limits.maxMessageBytes &&
    size() > limits.maxMessageBytes &&
    cap > 256 &&
    Object.keys(annotations).length > 0
  ) {
    cap = Math.floor(cap / 2);
    for (const k of Object.keys(annotations)) annotations[k] = truncateUtf8(annotations[k]!, cap);
    if (!warnings.includes(`${at}.annotations: cut to fit one JetStream message`))
      warnings.push(`${at}.annotations: cut to fit one JetStream message`);
  }
  const needed = roughly > limits.maxMessageBytes ? size() : 0;
  if (needed > limits.maxMessageBytes) {
    return refuse(
      413,
      `${at}: needs about ${needed} bytes, more than one JetStream message holds (max_payload ${limits.maxMessageBytes}); send fewer or shorter labels`,
    );
  }

  const endsAt = raw.endsAt && Date.parse(raw.endsAt) > ZERO_TIME ? raw.endsAt : null;
  return {
    ok: true,
    alert: {
      fingerprint,
      status: raw.status,
      labels,
      annotations,
      startsAt: raw.startsAt,
      endsAt,
      generatorURL: generatorURL || null,
    },
    warnings,
  };
}
