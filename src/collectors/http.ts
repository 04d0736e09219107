import type { CollectContext } from './item.js';

// Plain-HTTP plumbing shared by the Prometheus, Alertmanager and logs collectors: building URLs
// under a base that may carry a path prefix, and turning network failures into sentences.

/** `path` under `baseUrl`, keeping any path prefix of the base (e.g. http://h/prometheus). */
export function urlUnder(baseUrl: string, path: string, params?: URLSearchParams): URL {
  const base = baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`;
  const url = new URL(path.replace(/^\//, ''), base);
  if (params) url.search = params.toString();
  return url;
}

/** The base URL as shown to people: no trailing slash. */
export function shownBase(baseUrl: string): string {
  return baseUrl.replace(/\/+$/, '');
}

/** The innermost useful message of a fetch failure (undici hides the socket error in `cause`). */
export function causeMessage(err: unknown): string {
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
export function unreachable(service: string, baseUrl: string, err: unknown, ctx: CollectContext): string {
  if (isAbort(err, ctx))
    return `${service} at ${shownBase(baseUrl)} did not answer within ${ctx.timeoutMs} ms`;
  return `${service} at ${shownBase(baseUrl)} unreachable: ${causeMessage(err)}`;
}

export type HttpResult = { ok: true; status: number; text: string } | { ok: false; unavailable: string };

/** One request; network errors and timeouts (including while reading the body) become `unavailable`. */
export async function httpText(
  service: string,
  baseUrl: string,
  url: URL,
  init: RequestInit,
  ctx: CollectContext,
): Promise<HttpResult> {
  try {
    const res = await fetch(url, { ...init, signal: ctx.signal });
    const text = await res.text();
    return { ok: true, status: res.status, text };
  } catch (err) {
    return { ok: false, unavailable: unreachable(service, baseUrl, err, ctx) };
  }
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
