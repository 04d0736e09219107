// The inbox search box: `ns:payments pod:api-7f alert:5xx timeout` → structured filters plus the
// free text left over. Pure, so the server and tests agree on what a query means.

/** Keys with a meaning of their own; any other `key:value` matches the label of that name. */
export const SEARCH_KEYS = ['ns', 'pod', 'deploy', 'svc', 'cluster', 'alert', 'team', 'severity'] as const;
export type SearchKey = (typeof SEARCH_KEYS)[number];

export interface ParsedSearch {
  /** Values per key; several values of one key mean "any of them". */
  keys: Partial<Record<SearchKey, string[]>>;
  /** Other `name:value` tokens: exact label matches. */
  labels: Record<string, string[]>;
  /** What is left, as one phrase (searched as a substring, as before tokens existed). */
  text: string;
}

// Looked up with Object.hasOwn: `constructor:x` must not find Object.prototype.constructor.
const aliases: Record<string, SearchKey> = {
  namespace: 'ns',
  deployment: 'deploy',
  workload: 'deploy',
  service: 'svc',
  alertname: 'alert',
};

// key:value, key:"quoted value" or key:'quoted value'. Keys look like Prometheus label names, so
// a URL or a time such as 10:30 in the text stays text.
const token = /(^|\s)([A-Za-z_][A-Za-z0-9_]*):(?:"([^"]*)"|'([^']*)'|(\S+))/g;

export function parseSearch(q: string | undefined | null): ParsedSearch {
  // Label names come from the user: `__proto__:x` or `hasOwnProperty:x` are names like any other,
  // so they go in an object without a prototype.
  const out: ParsedSearch = { keys: {}, labels: Object.create(null) as Record<string, string[]>, text: '' };
  if (!q) return out;
  const rest = q.replace(
    token,
    (whole, lead: string, rawKey: string, dq?: string, sq?: string, bare?: string) => {
      const value = (dq ?? sq ?? bare ?? '').trim();
      if (!value || bare?.startsWith('//')) return whole; // "http://…" is text
      const lower = rawKey.toLowerCase();
      const key = (SEARCH_KEYS as readonly string[]).includes(lower)
        ? (lower as SearchKey)
        : Object.hasOwn(aliases, lower)
          ? aliases[lower]
          : undefined;
      if (key) (out.keys[key] ??= []).push(value);
      else (out.labels[rawKey] ??= []).push(value);
      return lead;
    },
  );
  out.text = rest.replace(/\s+/g, ' ').trim();
  return out;
}

/** Escapes a literal for a POSIX regular expression in Postgres. */
export const regexEscape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
