import { z } from 'zod';
import type { Alert } from '../commands/case/commands.js';

// Alertmanager webhook payload, version 4 (https://prometheus.io/docs/alerting/latest/configuration/#webhook_config).

const labelSet = z.record(z.string(), z.string({ message: 'label values must be strings' }));
// Alertmanager writes times in RFC 3339 with up to nanosecond precision.
const time = z.iso.datetime({
  offset: true,
  message: 'expected an RFC 3339 time such as 2026-11-26T10:00:00Z',
});
// Case ids become NATS subjects: keep fingerprints to subject-safe characters.
const fingerprint = z
  .string()
  .regex(/^[A-Za-z0-9_-]{1,64}$/, { message: 'expected 1-64 letters, digits, _ or -' });

export const alertSchema = z.object({
  status: z.enum(['firing', 'resolved']),
  labels: labelSet.refine((l) => typeof l.alertname === 'string' && l.alertname.length > 0, {
    message: 'labels.alertname is required',
  }),
  annotations: labelSet.default({}),
  startsAt: time,
  endsAt: time.optional(),
  generatorURL: z.string().optional(),
  fingerprint: fingerprint.optional(),
});

export const payloadSchema = z.object({
  version: z.literal('4', { message: 'only Alertmanager webhook payload version "4" is supported' }),
  groupKey: z.string().optional(),
  truncatedAlerts: z.number().int().nonnegative().default(0),
  status: z.enum(['firing', 'resolved']),
  receiver: z.string().optional(),
  groupLabels: labelSet.optional(),
  commonLabels: labelSet.optional(),
  commonAnnotations: labelSet.optional(),
  externalURL: z.string().optional(),
  notification_reason: z.string().optional(),
  alerts: z.array(alertSchema),
});

export type Payload = z.infer<typeof payloadSchema>;

/** Names the first bad field of a payload, e.g. `alerts[2].startsAt: expected an RFC 3339 time`. */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((i) => {
      const path = i.path.reduce<string>(
        (acc, p) => (typeof p === 'number' ? `${acc}[${p}]` : acc ? `${acc}.${String(p)}` : String(p)),
        '',
      );
      return `${path || '(body)'}: ${i.message}`;
    })
    .join('; ');
}

const ZERO_TIME = Date.parse('0001-01-01T00:00:00Z');

/** Alertmanager's own fingerprint: FNV-1a 64 over the label names and values sorted by name. */
export function labelsFingerprint(labels: Record<string, string>): string {
  const prime = 0x100000001b3n;
  const mask = 0xffffffffffffffffn;
  let h = 0xcbf29ce484222325n;
  const add = (bytes: Uint8Array) => {
    for (const b of bytes) h = ((h ^ BigInt(b)) * prime) & mask;
  };
  const sep = new Uint8Array([0xff]);
  for (const name of Object.keys(labels).sort()) {
    add(Buffer.from(name));
    add(sep);
    add(Buffer.from(labels[name]!));
    add(sep);
  }
  return h.toString(16).padStart(16, '0');
}

export function normalizeAlert(a: z.infer<typeof alertSchema>): Alert {
  const endsAt = a.endsAt && Date.parse(a.endsAt) > ZERO_TIME ? a.endsAt : null;
  return {
    fingerprint: (a.fingerprint ?? labelsFingerprint(a.labels)).toLowerCase(),
    status: a.status,
    labels: a.labels,
    annotations: a.annotations,
    startsAt: a.startsAt,
    endsAt,
    generatorURL: a.generatorURL || null,
  };
}
