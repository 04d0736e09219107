// Text that Postgres (jsonb, text) and every JSON reader can store: no U+0000 and no unpaired UTF-16
// surrogate. Both are legal in a JS string and in JSON, so they pass JSON.parse and zod, and only
// fail later, in a projector. Labels, annotations, log lines and API error bodies are all untrusted.

// NUL, a high surrogate not followed by a low one, or a low one not preceded by a high one.
// eslint-disable-next-line no-control-regex -- NUL is exactly what we look for.
const UNSTORABLE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const UNSTORABLE_ALL = new RegExp(UNSTORABLE.source, 'g');

// A plain character class is scanned far faster than the look-arounds above; almost every text
// has neither NUL nor a surrogate, and only the rest needs the exact check.
// eslint-disable-next-line no-control-regex -- NUL is exactly what we look for.
const SUSPECT = /[\u0000\uD800-\uDFFF]/;

/** True when the text holds NUL or an unpaired surrogate. */
export const isUnstorable = (s: string): boolean => SUSPECT.test(s) && UNSTORABLE.test(s);

/** Replaces NUL and unpaired surrogates with U+FFFD (what a UTF-8 decoder shows for bad bytes). */
export function storable(s: string): string {
  if (!isUnstorable(s)) return s;
  return s.replace(UNSTORABLE_ALL, '\uFFFD');
}

/** Size of the text in UTF-8, as it travels in a JetStream message. */
export const utf8Bytes = (s: string): number => Buffer.byteLength(s, 'utf8');

/** True when the text takes at most `max` bytes of UTF-8; counted only when its length cannot tell. */
export const fitsUtf8 = (s: string, max: number): boolean =>
  // A UTF-16 unit is at most 3 bytes of UTF-8 (a surrogate pair, two units, is 4).
  s.length * 3 <= max || (s.length <= max && utf8Bytes(s) <= max);

/**
 * Cuts storable text to at most `maxBytes` of UTF-8, marker included, never inside a character.
 * The marker says how much was cut, so a reader knows the text is not whole.
 */
export function truncateUtf8(s: string, maxBytes: number): string {
  if (fitsUtf8(s, maxBytes)) return s;
  const total = utf8Bytes(s);
  if (total <= maxBytes) return s;
  const marker = (cut: number) => `…[truncated ${cut} bytes]`;
  const room = Math.max(0, maxBytes - utf8Bytes(marker(total)));
  const buf = Buffer.from(s, 'utf8');
  let end = Math.min(room, buf.length);
  // Back up to the start of a UTF-8 sequence (continuation bytes are 10xxxxxx).
  while (end > 0 && (buf[end]! & 0xc0) === 0x80) end--;
  const head = buf.subarray(0, end).toString('utf8');
  return head + marker(total - end);
}
