// Inbox filters live in the URL (shareable, back button works); this maps them to the API query.

export const PAGE_SIZE = 50;

export const STATUSES = [
  { value: 'firing', label: 'Firing' },
  { value: 'snoozed', label: 'Snoozed' },
  { value: 'resolved', label: 'Resolved' },
  { value: 'closed', label: 'Closed' },
  { value: 'all', label: 'All' },
] as const;
export const DEFAULT_STATUS = 'firing';

// One list with the server's report schema, so a new family shows up in the filters too.
export { CLASSIFICATIONS, FAMILIES } from '../../../src/contract/taxonomy.js';

export const FILTER_KEYS = ['classification', 'family', 'severity', 'team'] as const;
export type FilterKey = (typeof FILTER_KEYS)[number];

export interface InboxFilters {
  status: string;
  classification: string;
  family: string;
  severity: string;
  team: string;
  q: string;
  page: number;
}

export function readFilters(params: Pick<URLSearchParams, 'get'>): InboxFilters {
  const page = Number(params.get('page') ?? '1');
  return {
    status: params.get('status') ?? DEFAULT_STATUS,
    classification: params.get('classification') ?? '',
    family: params.get('family') ?? '',
    severity: params.get('severity') ?? '',
    team: params.get('team') ?? '',
    q: params.get('q') ?? '',
    page: Number.isInteger(page) && page > 0 ? page : 1,
  };
}

/** The URL query for a set of filters; defaults are left out so URLs stay short. */
export function filtersQuery(f: InboxFilters): string {
  const p = new URLSearchParams();
  if (f.status !== DEFAULT_STATUS) p.set('status', f.status);
  for (const k of FILTER_KEYS) if (f[k]) p.set(k, f[k]);
  if (f.q.trim()) p.set('q', f.q.trim());
  if (f.page > 1) p.set('page', String(f.page));
  const s = p.toString();
  return s ? `?${s}` : '';
}

export function apiQuery(f: InboxFilters): URLSearchParams {
  const p = new URLSearchParams();
  if (f.status !== 'all') p.set('status', f.status);
  for (const k of FILTER_KEYS) if (f[k]) p.set(k, f[k]);
  if (f.q.trim()) p.set('q', f.q.trim());
  p.set('limit', String(PAGE_SIZE));
  p.set('offset', String((f.page - 1) * PAGE_SIZE));
  return p;
}

/**
 * Whether a case belongs on the first page of these filters, judged in the browser so a pushed
 * change shows at once. Free-text and token searches are left to the server (null: unknown).
 */
export function matches(
  c: {
    status: string;
    classification: string | null;
    family: string | null;
    severity: string | null;
    team: string | null;
  },
  f: InboxFilters,
  status: string,
): boolean | null {
  if (f.q.trim()) return null;
  if (f.status !== 'all' && status !== f.status) return false;
  if (f.classification && c.classification !== f.classification) return false;
  if (f.family && c.family !== f.family) return false;
  if (f.severity && (c.severity ?? '').toLowerCase() !== f.severity.toLowerCase()) return false;
  if (f.team && c.team !== f.team) return false;
  return true;
}

/** Newest activity first, as the API orders cases. */
export function byActivity(
  a: { lastActivityAt: string; caseId: string },
  b: { lastActivityAt: string; caseId: string },
) {
  const t = Date.parse(b.lastActivityAt) - Date.parse(a.lastActivityAt);
  return t !== 0 ? t : a.caseId < b.caseId ? -1 : a.caseId > b.caseId ? 1 : 0;
}
