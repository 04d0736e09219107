import type { AlertsData, EvidenceItem, EvidenceRequest, SilencesData } from './evidence.js';
import { asSource, excerpt, httpText, parseJson, urlUnder, type HttpSource } from './http.js';
import { timeoutContext, toItem, type CollectContext, type Outcome, type TimeWindow } from './item.js';

// Alertmanager API v2: the alerts still firing under one alertname, and the silences that cover
// it. Both answer "is anyone else already looking at this?".

export const MAX_ALERTS = 200;
export const MAX_SILENCES = 200;

export type AlertmanagerRequest = Extract<EvidenceRequest, { source: 'alertmanager' }>;

export interface AlertmanagerCollector {
  collect(
    request: AlertmanagerRequest,
    window: TimeWindow,
    ctx?: CollectContext,
  ): Promise<EvidenceItem<AlertsData | SilencesData>>;
}

/**
 * Escapes a value for a double-quoted Alertmanager matcher (`name="value"`). Its parser knows
 * exactly three escapes, \\, \" and \n; anything else inside the quotes is taken literally.
 */
export function escapeMatcherValue(value: string): string {
  return value.replace(/[\\"\n]/g, (c) => ({ '\\': '\\\\', '"': '\\"', '\n': '\\n' })[c]!);
}

export function createAlertmanagerCollector(
  configured: string | HttpSource | undefined,
): AlertmanagerCollector {
  const source = configured === undefined ? undefined : asSource(configured);
  return {
    async collect(request, _window, ctx = timeoutContext()) {
      const startedAt = new Date();
      const matcher = `alertname="${escapeMatcherValue(request.alertname)}"`;
      const query =
        request.kind === 'alerts'
          ? `GET /api/v2/alerts?filter=${matcher}&active=true&silenced=false&inhibited=false`
          : `GET /api/v2/silences (active, matching ${matcher})`;
      if (!source) {
        return toItem(request, startedAt, {
          status: 'unavailable',
          query,
          error: 'Alertmanager not configured (set ALERTMANAGER_URL)',
        });
      }
      const outcome =
        request.kind === 'alerts'
          ? await alerts(source, matcher, query, ctx)
          : await silences(source, request.alertname, query, ctx);
      return toItem<AlertsData | SilencesData>(request, startedAt, outcome);
    },
  };
}

async function getJson(
  source: HttpSource,
  url: URL,
  query: string,
  ctx: CollectContext,
): Promise<{ ok: true; body: unknown } | { ok: false; outcome: Outcome<never> }> {
  const res = await httpText('Alertmanager', source, url, { headers: { accept: 'application/json' } }, ctx);
  if (!res.ok) return { ok: false, outcome: { status: res.status, query, error: res.error } };
  const body = parseJson(res.text);
  if (res.status >= 200 && res.status < 300 && Array.isArray(body)) return { ok: true, body };
  // Alertmanager answers errors as a bare JSON string, or as {message}.
  const reason =
    typeof body === 'string'
      ? body
      : typeof (body as { message?: unknown } | undefined)?.message === 'string'
        ? (body as { message: string }).message
        : excerpt(res.text) || `HTTP ${res.status}`;
  if (res.status >= 500) {
    return {
      ok: false,
      outcome: {
        status: 'unavailable',
        query,
        error: `Alertmanager at ${source.shown} answered ${res.status}: ${reason}`,
      },
    };
  }
  return {
    ok: false,
    outcome: {
      status: 'error',
      query,
      error: `Alertmanager rejected the request (${res.status}): ${reason}`,
    },
  };
}

interface GettableAlert {
  fingerprint: string;
  labels: Record<string, string>;
  startsAt: string;
  status?: { state?: string };
}

async function alerts(
  source: HttpSource,
  matcher: string,
  query: string,
  ctx: CollectContext,
): Promise<Outcome<AlertsData>> {
  const params = new URLSearchParams({
    filter: matcher,
    active: 'true',
    silenced: 'false',
    inhibited: 'false',
  });
  const got = await getJson(source, urlUnder(source.url, '/api/v2/alerts', params), query, ctx);
  if (!got.ok) return got.outcome;
  const list = (got.body as GettableAlert[])
    .map((a) => ({
      fingerprint: a.fingerprint,
      labels: a.labels ?? {},
      startsAt: a.startsAt,
      state: a.status?.state ?? 'unknown',
    }))
    // Newest first, so a cut keeps the alerts closest to the investigation.
    .sort((a, b) => b.startsAt.localeCompare(a.startsAt) || a.fingerprint.localeCompare(b.fingerprint));
  if (list.length === 0) return { status: 'empty', query };
  return {
    status: 'ok',
    query,
    data: { alerts: list.slice(0, MAX_ALERTS) },
    truncated: list.length > MAX_ALERTS,
  };
}

interface GettableSilence {
  id: string;
  status?: { state?: string };
  matchers?: { name: string; value: string; isRegex: boolean; isEqual?: boolean }[];
  endsAt: string;
  createdBy?: string;
  comment?: string;
}

type SilenceMatcher = SilencesData['silences'][number]['matchers'][number];

/** Whether one matcher accepts `value`; regexes are anchored like Alertmanager's. */
export function matcherAccepts(m: SilenceMatcher, value: string): boolean {
  let hit: boolean;
  if (m.isRegex) {
    // Go RE2's leading (?i) has no JS spelling; map it to the i flag, else treat bad regexes as no match.
    const ci = m.value.startsWith('(?i)');
    try {
      hit = new RegExp(`^(?:${ci ? m.value.slice(4) : m.value})$`, ci ? 'i' : '').test(value);
    } catch {
      return false;
    }
  } else {
    hit = m.value === value;
  }
  return m.isEqual ? hit : !hit;
}

/** A silence covers the alertname when it constrains alertname and every such matcher accepts it. */
export function silenceCoversAlertname(matchers: SilenceMatcher[], alertname: string): boolean {
  const own = matchers.filter((m) => m.name === 'alertname');
  return own.length > 0 && own.every((m) => matcherAccepts(m, alertname));
}

async function silences(
  source: HttpSource,
  alertname: string,
  query: string,
  ctx: CollectContext,
): Promise<Outcome<SilencesData>> {
  // Filtered here, not with ?filter=: Alertmanager compares a filter to a silence's matcher
  // text, so alertname=~"Kube.*" would never be found by the alert's own name.
  const got = await getJson(source, urlUnder(source.url, '/api/v2/silences'), query, ctx);
  if (!got.ok) return got.outcome;
  const list = (got.body as GettableSilence[])
    .filter((s) => s.status?.state === 'active')
    .map((s) => ({
      id: s.id,
      // isEqual arrived in Alertmanager 0.22; older servers only know equality matchers.
      matchers: (s.matchers ?? []).map((m) => ({
        name: m.name,
        value: m.value,
        isRegex: m.isRegex,
        isEqual: m.isEqual ?? true,
      })),
      endsAt: s.endsAt,
      createdBy: s.createdBy ?? '',
      comment: s.comment ?? '',
    }))
    .filter((s) => silenceCoversAlertname(s.matchers, alertname))
    .sort((a, b) => b.endsAt.localeCompare(a.endsAt) || a.id.localeCompare(b.id));
  if (list.length === 0) return { status: 'empty', query };
  return {
    status: 'ok',
    query,
    data: { silences: list.slice(0, MAX_SILENCES) },
    truncated: list.length > MAX_SILENCES,
  };
}
