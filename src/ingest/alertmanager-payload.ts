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
  // 64-bit FNV-1a in four 16-bit limbs, so every product stays a small integer (BigInt per byte
  // costs ~20x more, and every alert is fingerprinted). prime = 2^40 + 0x1b3: limb 0 times 0x1b3
  // plus limb 2 times 0x100.
  let h0 = 0x2325;
  let h1 = 0x8422;
  let h2 = 0x9ce4;
  let h3 = 0xcbf2;
  const byte = (b: number) => {
    h0 ^= b;
    const t0 = h0 * 0x1b3;
    const t1 = h1 * 0x1b3 + (t0 >>> 16);
    const t2 = h2 * 0x1b3 + h0 * 0x100 + (t1 >>> 16);
    const t3 = h3 * 0x1b3 + h1 * 0x100 + (t2 >>> 16);
    h0 = t0 & 0xffff;
    h1 = t1 & 0xffff;
    h2 = t2 & 0xffff;
    h3 = t3 & 0xffff;
  };
  // ASCII is hashed straight from the string; anything else from its UTF-8 bytes.
  const add = (s: string) => {
    if (NON_ASCII.test(s)) for (const b of Buffer.from(s, 'utf8')) byte(b);
    else for (let i = 0; i < s.length; i++) byte(s.charCodeAt(i));
    byte(0xff);
  };
  // Go sorts names by their bytes (UTF-8); JS's default order (UTF-16 units) differs only when
  // a name holds a character from U+D800 up, so only then compare bytes.
  const names = Object.keys(labels);
  if (names.some((n) => ASTRAL_OR_HIGH.test(n)))
    names.sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
  else names.sort();
  for (const name of names) {
    add(name);
    add(labels[name]!);
  }
  const hex = (limb: number) => limb.toString(16).padStart(4, '0');
  return hex(h3) + hex(h2) + hex(h1) + hex(h0);
}

const NON_ASCII = /[\u0080-\uffff]/;
const ASTRAL_OR_HIGH = /[\uD800-\uFFFF]/;
