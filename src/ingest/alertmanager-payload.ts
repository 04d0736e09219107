import { z } from 'zod';
import { storable } from '../shared/storable-text.js';

// Alertmanager webhook payload, version 4 (https://prometheus.io/docs/alerting/latest/configuration/#webhook_config).

/**
 * A label (or annotation) set: an object of strings. Not z.record: it builds a plain object, where a
 * label named `__proto__` vanishes (the assignment sets the prototype instead) and changes the
 * alert's identity. Here every name is kept, in an object without a prototype, so names such as
 * `constructor` or `hasOwnProperty` are just names.
 */
const labelSet = z.unknown().transform((value, ctx): Record<string, string> => {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    ctx.addIssue({ code: 'custom', message: 'expected an object of name: "value" strings', input: value });
    return z.NEVER;
  }
  const out: Record<string, string> = Object.create(null);
  for (const [name, v] of Object.entries(value)) {
    if (typeof v !== 'string') {
      ctx.addIssue({ code: 'custom', message: 'label values must be strings', path: [name], input: v });
      continue;
    }
    out[name] = v;
  }
  return out;
});
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
  annotations: labelSet.optional(),
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
        (acc, p) =>
          typeof p === 'number' ? `${acc}[${p}]` : acc ? `${acc}${fieldName(String(p))}` : String(p),
        '',
      );
      return `${path || '(body)'}: ${i.message}`;
    })
    .join('; ');
}

/** `.name`, or `["odd name"]` for names that are not identifiers; long names are cut (they are untrusted). */
export function fieldName(name: string): string {
  if (/^[A-Za-z_][A-Za-z0-9_]{0,63}$/.test(name)) return `.${name}`;
  const shown = name.length > 64 ? `${storable(name.slice(0, 64))}…` : name;
  return `[${JSON.stringify(shown)}]`;
}

/** Alertmanager's own fingerprint: FNV-1a 64 over the label names and values sorted by name. */
export function labelsFingerprint(labels: Record<string, string>): string {
  // 64-bit FNV-1a in two 32-bit halves (BigInt per byte costs ~10x more on the ingest hot path).
  // prime = 2^40 + 0x1b3, so h * prime = h * 0x1b3 + (h << 40): every partial sum stays exact.
  let hi = 0xcbf29ce4;
  let lo = 0x84222325;
  const byte = (b: number) => {
    lo ^= b;
    const l = (lo >>> 0) * 0x1b3;
    hi = (hi * 0x1b3 + Math.floor(l / 0x100000000) + ((lo << 8) >>> 0)) >>> 0;
    lo = l >>> 0;
  };
  // ASCII is hashed straight from the string; anything else from its UTF-8 bytes.
  const add = (s: string) => {
    if (/[\u0080-\uffff]/.test(s)) for (const b of Buffer.from(s)) byte(b);
    else for (let i = 0; i < s.length; i++) byte(s.charCodeAt(i));
    byte(0xff);
  };
  // Go sorts names by their bytes (UTF-8); JS's default order (UTF-16 units) differs only when
  // a name holds a character from U+D800 up, so only then compare bytes.
  const names = Object.keys(labels);
  if (names.some((n) => /[\uD800-\uFFFF]/.test(n)))
    names.sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
  else names.sort();
  for (const name of names) {
    add(name);
    add(labels[name]!);
  }
  return (hi >>> 0).toString(16).padStart(8, '0') + (lo >>> 0).toString(16).padStart(8, '0');
}
