// Bounding helpers: every string that reaches a report comes from untrusted sources (labels, logs,
// API messages), so it is flattened to one line and capped before it is stored.

/** Collapses whitespace (including newlines) to single spaces and caps the length. */
export function oneLine(value: string, max = 200): string {
  return cap(value.replace(/\s+/g, ' ').trim(), max);
}

/** Caps a string, marking the cut with an ellipsis so readers know it was shortened. */
export function cap(value: string, max: number): string {
  if (value.length <= max) return value;
  return `${value.slice(0, Math.max(0, max - 1))}…`;
}

/** First `max` items; the caller reports how many were left out when that matters. */
export function take<T>(items: readonly T[], max: number): T[] {
  return items.slice(0, max);
}

export function uniq<T>(items: Iterable<T>): T[] {
  return [...new Set(items)];
}

/** A count with a noun, e.g. `3 pods`, `1 pod`. */
export function plural(n: number, noun: string, pluralNoun = `${noun}s`): string {
  return `${n} ${n === 1 ? noun : pluralNoun}`;
}

export function pct(ratio: number): string {
  return `${(ratio * 100).toFixed(ratio < 0.1 ? 1 : 0)}%`;
}

export function bytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let i = 0;
  while (Math.abs(v) >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(v >= 100 || i === 0 ? 0 : 1)} ${units[i]}`;
}

export function clamp(n: number, lo = 0, hi = 100): number {
  return Math.max(lo, Math.min(hi, Math.round(n)));
}

/** Minutes between two ISO instants (b - a); NaN-safe callers check the inputs. */
export function minutesBetween(a: string, b: string): number {
  return (Date.parse(b) - Date.parse(a)) / 60_000;
}

/** `12:04Z`-style short UTC time used in prose; full ISO stays in structured fields. */
export function shortTime(iso: string): string {
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return iso;
  return `${new Date(t).toISOString().slice(0, 16).replace('T', ' ')}Z`;
}
