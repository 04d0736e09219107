import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Config } from '../shared/config.js';
import { TarkaError } from '../shared/errors.js';

// What a browser can be tricked into: a cross-site form or fetch that changes a case (CSRF), a
// websocket opened from another site, or a page on an attacker's domain that resolves to our
// address (DNS rebinding against a loopback `tarka up`). The webhook and probes are not for
// browsers: Alertmanager and kubelets reach them by pod IP or service name.

/** Paths that are not the console or its API: no Host or Origin checks. */
export const nonBrowserPaths = new Set(['/alerts', '/health', '/ready', '/metrics']);

/**
 * The console scope's hooks run on its own routes and, where it serves, on every unknown route
 * (its not-found handler). The webhook and probes are scopes of their own; a wrong method on their
 * paths (GET /alerts) is answered as not found without the console's checks, as they always were.
 */
export function notForConsole(req: FastifyRequest): boolean {
  return req.is404 && nonBrowserPaths.has(req.url.split('?')[0]!);
}

const stateChanging = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** The host name of a Host header or URL host (port and IPv6 brackets removed, lower case). */
export function hostName(host: string): string {
  const h = host.trim().toLowerCase();
  if (h.startsWith('[')) return h.slice(1, h.indexOf(']') === -1 ? undefined : h.indexOf(']'));
  const colon = h.lastIndexOf(':');
  return colon === -1 || h.indexOf(':') !== colon ? h : h.slice(0, colon);
}

export function isLoopback(host: string): boolean {
  const h = hostName(host);
  return h === 'localhost' || h.endsWith('.localhost') || /^127\.\d+\.\d+\.\d+$/.test(h) || h === '::1';
}

/**
 * Host names the console and API answer to, or null when they cannot be known (a wildcard
 * listener with neither AUTH_PUBLIC_BASE_URL nor AUTH_ALLOWED_HOSTS). Loopback names are always
 * allowed: only the machine itself (or a port-forward) can send them.
 */
export function allowedHosts(config: Config): ((host: string) => boolean) | null {
  const names = new Set(config.AUTH_ALLOWED_HOSTS.map(hostName));
  if (config.AUTH_PUBLIC_BASE_URL) names.add(hostName(new URL(config.AUTH_PUBLIC_BASE_URL).host));
  const wildcard = config.HOST === '0.0.0.0' || config.HOST === '::' || config.HOST === '';
  if (!wildcard && !isLoopback(config.HOST)) names.add(hostName(config.HOST));
  if (wildcard && names.size === 0) return null;
  return (host) => isLoopback(host) || names.has(hostName(host));
}

function mediaType(req: FastifyRequest): string {
  return (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
}

/**
 * Whether a request that carries browser provenance comes from our own pages: its Origin is the
 * public URL's, or the origin of the host it was sent to. Requests without Origin or
 * Sec-Fetch-Site are not from a browser's cross-site context (curl, scripts) and pass.
 */
export function sameOrigin(req: FastifyRequest, publicOrigin: string | null): boolean {
  const origin = req.headers.origin;
  if (typeof origin === 'string') {
    if (publicOrigin !== null && origin.toLowerCase() === publicOrigin) return true;
    let url: URL;
    try {
      url = new URL(origin);
    } catch {
      return false; // "null" (sandboxed frames, data: pages) and garbage
    }
    const host = req.headers.host;
    return typeof host === 'string' && url.host === host.toLowerCase();
  }
  const site = req.headers['sec-fetch-site'];
  return site === undefined || site === 'same-origin' || site === 'none';
}

/**
 * Host, Origin and content-type checks in front of the console and API (see the top of this file),
 * as hooks of the console scope.
 */
export function browserGuards(app: FastifyInstance, config: Config) {
  const hostOk = allowedHosts(config);
  const publicOrigin = config.AUTH_PUBLIC_BASE_URL
    ? new URL(config.AUTH_PUBLIC_BASE_URL).origin.toLowerCase()
    : null;
  // A websocket handshake refused by a hook is answered on the raw socket, which nobody would
  // close: the client would wait for an upgrade that never comes.
  app.addHook('onResponse', async (req) => {
    if (req.headers.upgrade) req.raw.socket?.destroySoon();
  });
  app.addHook('onRequest', async (req) => {
    if (notForConsole(req)) return;
    const path = req.url.split('?')[0]!;
    const host = req.headers.host ?? '';
    if (hostOk && !hostOk(host)) {
      throw new TarkaError(
        'TARKA_HOST_NOT_ALLOWED',
        `this server does not answer for host ${JSON.stringify(hostName(host).slice(0, 100))}`,
        'open Tarka at AUTH_PUBLIC_BASE_URL, or add the name to AUTH_ALLOWED_HOSTS',
      );
    }
    if (!path.startsWith('/api/')) return;
    const changes = stateChanging.has(req.method);
    if ((changes || path === '/api/live') && !sameOrigin(req, publicOrigin)) {
      throw new TarkaError(
        'TARKA_CROSS_ORIGIN',
        `a request from another site (${String(req.headers.origin ?? req.headers['sec-fetch-site']).slice(0, 200)}) may not ${changes ? 'change cases' : 'open the live feed'}`,
        'use the console at its own address (AUTH_PUBLIC_BASE_URL)',
      );
    }
    if (changes && mediaType(req) !== 'application/json') {
      throw new TarkaError(
        'TARKA_UNSUPPORTED_MEDIA_TYPE',
        `${req.method} ${path} takes a JSON body, not ${JSON.stringify(mediaType(req) || 'none')}`,
        "send Content-Type: application/json with a JSON body (at least '{}')",
      );
    }
  });
}

/** Config names to set, when `tarka serve` would expose a part without its protection. */
export function insecureExposure(config: Config): string[] {
  if (config.TARKA_ALLOW_INSECURE || isLoopback(config.HOST)) return [];
  const missing: string[] = [];
  const webhookAuth =
    config.WEBHOOK_BEARER_TOKEN !== undefined || config.WEBHOOK_BASIC_PASSWORD !== undefined;
  if (config.SERVE_ROUTES !== 'console' && !webhookAuth) {
    missing.push('the webhook: set WEBHOOK_BEARER_TOKEN (or WEBHOOK_BASIC_USER and WEBHOOK_BASIC_PASSWORD)');
  }
  if (config.SERVE_ROUTES !== 'webhook' && config.AUTH_MODE === 'disabled') {
    missing.push(
      'the console and API: set AUTH_MODE=oidc, basic or both (sign-in), or AUTH_MODE=proxy and AUTH_PROXY_SECRET behind an SSO proxy',
    );
  }
  return missing;
}

/** Refuses to expose an unauthenticated webhook or console beyond loopback unless told it is intended. */
export function assertSecureExposure(config: Config): void {
  const missing = insecureExposure(config);
  if (!missing.length) return;
  throw new TarkaError(
    'TARKA_CONFIG_INVALID',
    `refusing to serve on ${config.HOST} without authentication for:\n${missing.map((m) => `  ${m}`).join('\n')}`,
    'or listen on loopback only (HOST=127.0.0.1), narrow SERVE_ROUTES, or set TARKA_ALLOW_INSECURE=true if anyone who can reach this port may use it',
  );
}
