import type { CaseDetail, CaseList, Dashboard, Facets, Settings } from '../../../src/contract/views.js';

/** An API answer other than 2xx, with the server's own words (message and what to do). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly hint: string | null,
  ) {
    super(message);
  }
}

async function parse<T>(res: Response): Promise<T> {
  if (res.ok) return (await res.json()) as T;
  // Signed out meanwhile (session expired or revoked): to sign-in, then back to this page.
  if (res.status === 401 && typeof location !== 'undefined') {
    location.assign(`/login?next=${encodeURIComponent(location.pathname + location.search)}`);
  }
  let body: { message?: string; hint?: string } = {};
  try {
    body = await res.json();
  } catch {
    /* not JSON */
  }
  throw new ApiError(res.status, body.message ?? `${res.status} ${res.statusText}`, body.hint ?? null);
}

export async function getJSON<T>(path: string, signal?: AbortSignal): Promise<T> {
  return parse<T>(await fetch(path, { signal, headers: { accept: 'application/json' } }));
}

export const listCases = (query: URLSearchParams, signal?: AbortSignal) =>
  getJSON<CaseList>(`/api/cases?${query}`, signal);

export const getCase = (id: string, signal?: AbortSignal) =>
  getJSON<CaseDetail>(`/api/cases/${encodeURIComponent(id)}`, signal);

export const getDashboard = (days: number, signal?: AbortSignal) =>
  getJSON<Dashboard>(`/api/dashboard?days=${days}`, signal);

let facets: Promise<Facets> | undefined;
/** Filter choices; fetched once per page load (they change slowly). */
export const getFacets = () =>
  (facets ??= getJSON<Facets>('/api/facets').catch(() => ({
    team: [],
    severity: [],
    namespace: [],
    cluster: [],
  })));

let settings: Promise<Settings> | undefined;
export const getSettings = () =>
  (settings ??= getJSON<Settings>('/api/settings').catch(() => ({ prometheusPublicUrl: null })));

export type Action = 'snooze' | 'resolve' | 'reopen' | 'rerun';

export interface ActionResult {
  caseId: string;
  version: number;
  changed: boolean;
}

/** An on-call action. The key makes a retried click count once (the server dedupes on it). */
export async function act(caseId: string, action: Action, body: object, key: string): Promise<ActionResult> {
  const res = await fetch(`/api/cases/${encodeURIComponent(caseId)}/${action}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'idempotency-key': key },
    body: JSON.stringify(body),
  });
  return parse<ActionResult>(res);
}
