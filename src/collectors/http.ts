import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest, type RequestOptions } from 'node:https';
import { scrubSecrets, shownUrl, splitUrl } from '../shared/secret-url.js';
import type { CollectContext } from './item.js';

// Plain-HTTP plumbing shared by the Prometheus, Alertmanager and logs collectors: a configured
// source (where to send, what to show, how to authenticate), URLs under a base that may carry a
// path prefix, bounded reads of response bodies, and network failures turned into sentences.

/** Default cap on one response body: evidence is bounded anyway, a runaway answer must not be buffered. */
export const DEFAULT_MAX_RESPONSE_BYTES = 8 * 1024 * 1024;

/** One configured HTTP data source. Credentials live only in `headers`, never in `url` or `shown`. */
export interface HttpSource {
  /** Base URL requests go to: no userinfo; its query (e.g. an API key) is added to every request. */
  url: string;
  /** Base URL for people: no userinfo, secret query values hidden. */
  shown: string;
  /** Sent with every request: authorization and custom headers (e.g. X-Scope-OrgID). */
  headers: Record<string, string>;
  /** PEM bundle of the CAs that may sign the server's certificate (https only). */
  ca?: string;
  /** Skip certificate verification (https only); only when configured explicitly. */
  insecureSkipVerify?: boolean;
  /** Largest response body read; a larger one makes the item `error`. */
  maxResponseBytes?: number;
  /** Prefix of its settings (PROMETHEUS, …), so a refused login says which variables to check. */
  settings?: string;
}

export interface HttpAuth {
  bearerToken?: string | undefined;
  basicUser?: string | undefined;
  basicPassword?: string | undefined;
  headers?: Record<string, string> | undefined;
  ca?: string | undefined;
  insecureSkipVerify?: boolean | undefined;
  maxResponseBytes?: number | undefined;
  settings?: string | undefined;
}

/**
 * A source from a configured URL and its settings. Userinfo in the URL (`http://u:p@host`) is
 * basic auth, unless a bearer token or an explicit basic user is configured.
 */
export function httpSource(configured: string, auth: HttpAuth = {}): HttpSource {
  const split = splitUrl(configured);
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(auth.headers ?? {})) headers[name.toLowerCase()] = value;
  if (auth.bearerToken) headers.authorization = `Bearer ${auth.bearerToken}`;
  else if (auth.basicUser !== undefined)
    headers.authorization = basic(auth.basicUser, auth.basicPassword ?? '');
  else if (split.username !== undefined || split.password !== undefined)
    headers.authorization = basic(split.username ?? '', split.password ?? '');
  const source: HttpSource = { url: split.url, shown: split.shown, headers };
  if (auth.ca) source.ca = auth.ca;
  if (auth.insecureSkipVerify) source.insecureSkipVerify = true;
  if (auth.maxResponseBytes !== undefined) source.maxResponseBytes = auth.maxResponseBytes;
  if (auth.settings !== undefined) source.settings = auth.settings;
  return source;
}

const basic = (user: string, password: string) =>
  `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

/** A source given as a URL (tests, tools) or already configured. */
export function asSource(source: string | HttpSource): HttpSource {
  return typeof source === 'string' ? httpSource(source) : source;
}

/** `path` under `baseUrl`, keeping any path prefix and query of the base (e.g. http://h/prometheus?api_key=…). */
export function urlUnder(baseUrl: string, path: string, params?: URLSearchParams): URL {
  const base = new URL(baseUrl);
  const query = new URLSearchParams(base.search);
  base.search = '';
  base.hash = '';
  if (!base.pathname.endsWith('/')) base.pathname = `${base.pathname}/`;
  const url = new URL(path.replace(/^\//, ''), base);
  for (const [k, v] of params ?? []) query.append(k, v);
  url.search = query.toString();
  return url;
}

/** The base URL as shown to people: no credentials, no trailing slash. */
export function shownBase(baseUrl: string): string {
  return shownUrl(baseUrl);
}

/** The innermost useful message of a network failure (undici hides the socket error in `cause`). */
export function causeMessage(err: unknown): string {
  return scrubSecrets(innermost(err));
}

function innermost(err: unknown): string {
  let current: unknown = err;
  let message = err instanceof Error ? err.message : String(err);
  for (let depth = 0; depth < 5 && current instanceof Error; depth++) {
    // Resolving a name to several addresses gives an AggregateError with an empty message.
    if (current instanceof AggregateError && current.errors.length > 0) {
      const inner = current.errors.map((e: unknown) => (e instanceof Error ? e.message : String(e)));
      return [...new Set(inner)].join('; ');
    }
    if (current.message) message = current.message;
    current = (current as Error & { cause?: unknown }).cause;
  }
  return message;
}

export function isAbort(err: unknown, ctx: CollectContext): boolean {
  if (ctx.signal.aborted) return true;
  return err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError');
}

/** "Prometheus at http://x:9090 unreachable: connect ECONNREFUSED 127.0.0.1:9090", or a timeout. */
export function unreachable(
  service: string,
  base: string | HttpSource,
  err: unknown,
  ctx: CollectContext,
): string {
  const shown = typeof base === 'string' ? shownUrl(base) : base.shown;
  if (isAbort(err, ctx)) return `${service} at ${shown} did not answer within ${ctx.timeoutMs} ms`;
  return `${service} at ${shown} unreachable: ${causeMessage(err)}`;
}

export type HttpResult =
  { ok: true; status: number; text: string } | { ok: false; status: 'unavailable' | 'error'; error: string };

export interface HttpInit {
  method?: 'GET' | 'POST';
  /** Sent as application/x-www-form-urlencoded. */
  form?: URLSearchParams;
  headers?: Record<string, string>;
}

/**
 * One request, its body read as a stream up to the source's cap. Network errors and timeouts
 * (including while reading the body) become `unavailable`; a body over the cap becomes `error`
 * without reading the rest.
 */
export function httpText(
  service: string,
  source: HttpSource,
  url: URL,
  init: HttpInit,
  ctx: CollectContext,
): Promise<HttpResult> {
  const max = source.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
  const body = init.form?.toString();
  const headers: Record<string, string> = { ...source.headers, ...init.headers };
  if (body !== undefined) {
    headers['content-type'] = 'application/x-www-form-urlencoded';
    headers['content-length'] = String(Buffer.byteLength(body));
  }
  const options: RequestOptions = { method: init.method ?? 'GET', headers, signal: ctx.signal };
  const https = url.protocol === 'https:';
  if (https && source.ca) options.ca = source.ca;
  if (https && source.insecureSkipVerify) options.rejectUnauthorized = false;
  const tooLarge = (what: string): HttpResult => ({
    ok: false,
    status: 'error',
    error: `${service} at ${source.shown} sent ${what}, more than the ${max} bytes allowed (COLLECTOR_MAX_RESPONSE_BYTES); ask for less, e.g. a narrower query`,
  });

  return new Promise<HttpResult>((resolve) => {
    let settled = false;
    const settle = (r: HttpResult) => {
      if (settled) return;
      settled = true;
      resolve(r);
    };
    const fail = (err: unknown) =>
      settle({ ok: false, status: 'unavailable', error: unreachable(service, source, err, ctx) });
    const onResponse = (res: IncomingMessage) => {
      const status = res.statusCode ?? 0;
      // Redirects are not followed: credentials must not travel to wherever a server points.
      if (status >= 300 && status < 400 && res.headers.location) {
        const target = shownUrl(new URL(res.headers.location, url).toString());
        settle({
          ok: false,
          status: 'error',
          error: `${service} at ${source.shown} answered ${status}, redirecting to ${target}; configure the URL it redirects to`,
        });
        req.destroy();
        return;
      }
      const declared = Number(res.headers['content-length']);
      if (Number.isFinite(declared) && declared > max) {
        settle(tooLarge(`a ${declared}-byte answer`));
        req.destroy();
        return;
      }
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > max) {
          settle(tooLarge('an answer'));
          req.destroy();
          return;
        }
        chunks.push(chunk);
      });
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        settle(
          status === 401 || status === 403
            ? refused(service, source, status, text)
            : { ok: true, status, text },
        );
      });
      res.on('error', fail);
      res.on('close', () => {
        if (!res.complete)
          fail(ctx.signal.aborted ? ctx.signal.reason : new Error('connection closed mid-answer'));
      });
    };
    const req = (https ? httpsRequest : httpRequest)(url, options, onResponse);
    req.on('error', fail);
    req.end(body);
  });
}

/** A 401/403: the credentials (or a tenant header) are wrong or missing; say which settings. */
function refused(service: string, source: HttpSource, status: number, text: string): HttpResult {
  const body = parseJson(text) as { error?: unknown; message?: unknown } | undefined;
  const said =
    typeof body?.error === 'string'
      ? body.error
      : typeof body?.message === 'string'
        ? body.message
        : excerpt(text);
  const p = source.settings;
  const check = p
    ? `check ${p}_BEARER_TOKEN, ${p}_BASIC_USER/${p}_BASIC_PASSWORD or user:pass@ in ${p}_URL, and ${p}_HEADERS (e.g. X-Scope-OrgID)`
    : 'check the credentials configured for it';
  return {
    ok: false,
    status: 'error',
    error: `${service} at ${source.shown} refused the request (${status}${said ? `: ${scrubSecrets(said)}` : ''}); ${check}`,
  };
}

export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** A short excerpt of a non-JSON error body, for messages. */
export function excerpt(text: string, max = 300): string {
  const t = text.trim().replace(/\s+/g, ' ');
  return t.length > max ? `${t.slice(0, max)}…` : t;
}
