// Reading questions: deterministic helpers shared by the intents. Pure.

/** Lower case, curly quotes straightened, whitespace collapsed. */
export function normalize(text: string): string {
  return text
    .replace(/[\u2018\u2019]/g, "'")
    .replace(/[\u201c\u201d]/g, '"')
    .replace(/\s+/g, ' ')
    .trim()
    .toLowerCase();
}

const UNIT_MINUTES: Record<string, number> = {
  m: 1,
  min: 1,
  mins: 1,
  minute: 1,
  minutes: 1,
  h: 60,
  hr: 60,
  hrs: 60,
  hour: 60,
  hours: 60,
  d: 1440,
  day: 1440,
  days: 1440,
  w: 10080,
  week: 10080,
  weeks: 10080,
};

/** "last 2h", "past 30 minutes", "over 1 day", "for the last 3 hours" → minutes; null when none. */
export function windowMinutes(text: string): number | null {
  const t = normalize(text);
  const m =
    /\b(?:last|past|over|within|previous|window(?: of)?|for)\s+(?:the\s+)?(?:last\s+|past\s+)?(\d{1,4})\s*(m|mins?|minutes?|h|hrs?|hours?|d|days?|w|weeks?)\b/.exec(
      t,
    ) ?? /\b(\d{1,4})\s*(m|mins?|minutes?|h|hrs?|hours?|d|days?|w|weeks?)\s+(?:window|range|ago)\b/.exec(t);
  if (m) return Number(m[1]) * UNIT_MINUTES[m[2]!]!;
  if (/\b(?:last|past|previous)\s+(hour)\b/.test(t)) return 60;
  if (/\b(?:last|past|previous)\s+(day)\b|\byesterday\b|\btoday\b/.test(t)) return 1440;
  if (/\b(?:last|past|previous)\s+(week)\b/.test(t)) return 10080;
  return null;
}

/** A number of lines asked for ("last 50 lines", "tail 20"). */
export function lineCount(text: string): number | null {
  const m =
    /\b(\d{1,4})\s*(?:log\s+)?lines?\b/.exec(normalize(text)) ??
    /\btail\s+(?:-n\s*)?(\d{1,4})\b/.exec(normalize(text));
  return m ? Number(m[1]) : null;
}

/** Whether any of the patterns matches the normalised text. */
export const any = (t: string, patterns: RegExp[]) => patterns.some((p) => p.test(t));

/** Text of the first `code` span (backticks), if any. */
export function codeSpan(text: string): string | null {
  const m = /```(?:promql)?\s*([\s\S]+?)```|`([^`]+)`/.exec(text);
  const body = (m?.[1] ?? m?.[2])?.trim();
  return body ? body : null;
}

/** A value after a keyword: `team payments`, `namespace=shop`, `cluster: "eu-1"`, `in ns shop`. */
export function valueAfter(text: string, keys: string[]): string | null {
  const alt = keys.map((k) => k.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|');
  const m = new RegExp(
    `\\b(?:${alt})\\b\\s*(?:[:=]\\s*)?(?:"([^"]{1,200})"|'([^']{1,200})'|([A-Za-z0-9][\\w.\\-/]{0,199}))`,
    'i',
  ).exec(text);
  const v = m?.[1] ?? m?.[2] ?? m?.[3];
  return v ? v.replace(/[?.!,;]+$/, '') : null;
}
