import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyRequest, onRequestAsyncHookHandler } from 'fastify';
import type { Config } from '../shared/config.js';
import { TarkaError } from '../shared/errors.js';
import { notForConsole } from './browser-security.js';

/** The header in which the authenticating proxy proves it is the proxy (AUTH_PROXY_SECRET). */
export const proxySecretHeader = 'x-tarka-proxy-secret';

/** The identity an authenticating proxy vouches for (AUTH_MODE=proxy), or null. */
export function proxyIdentity(req: FastifyRequest): string | null {
  const h = req.headers['x-forwarded-email'] ?? req.headers['x-forwarded-user'];
  return typeof h === 'string' && h.length > 0 && h.length <= 256 ? h : null;
}

// Digests have one length whatever was sent, so the comparison takes the same time for any guess.
const digest = (s: string) => createHash('sha256').update(s).digest();

/** Whether the request carries the proxy's shared secret (compared in constant time). */
export function fromProxy(req: FastifyRequest, secret: Buffer): boolean {
  const sent = req.headers[proxySecretHeader];
  return typeof sent === 'string' && timingSafeEqual(digest(sent), secret);
}

/**
 * With AUTH_MODE=proxy, the console and API answer only requests the proxy authenticated, from
 * the allowed e-mail domains. Identity headers count only on requests that carry the proxy's
 * secret: anyone else who reaches the port could send them too. A hook of the console scope: the
 * webhook and probes are scopes of their own and keep their own checks.
 */
export function proxyAuthHook(config: Config): onRequestAsyncHookHandler | null {
  if (config.AUTH_MODE !== 'proxy') return null;
  // loadConfig refuses proxy mode without a secret; this guards callers that build a config by hand.
  if (!config.AUTH_PROXY_SECRET) {
    throw new TarkaError('TARKA_CONFIG_INVALID', 'AUTH_MODE=proxy needs AUTH_PROXY_SECRET');
  }
  const secret = digest(config.AUTH_PROXY_SECRET);
  const domains = config.AUTH_ALLOWED_DOMAINS.map((d) => d.toLowerCase());
  return async (req) => {
    if (notForConsole(req)) return;
    if (!fromProxy(req, secret)) {
      throw new TarkaError(
        'TARKA_UNAUTHORIZED',
        'not signed in: the request did not come through the authenticating proxy',
        `open Tarka through its SSO proxy; the proxy must send AUTH_PROXY_SECRET in ${proxySecretHeader}`,
      );
    }
    const who = proxyIdentity(req);
    if (!who) {
      throw new TarkaError(
        'TARKA_UNAUTHORIZED',
        'not signed in',
        'open Tarka through its authenticating proxy',
      );
    }
    const domain = who.includes('@') ? who.split('@').pop()!.toLowerCase() : '';
    if (domains.length && !domains.includes(domain)) {
      throw new TarkaError(
        'TARKA_FORBIDDEN',
        `${who} is not in an allowed domain`,
        'ask an admin to add your domain to AUTH_ALLOWED_DOMAINS',
      );
    }
  };
}
