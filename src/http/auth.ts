import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Config } from '../shared/config.js';
import { TarkaError } from '../shared/errors.js';

/** The identity an authenticating proxy vouches for (AUTH_MODE=proxy), or null. */
export function proxyIdentity(req: FastifyRequest): string | null {
  const h = req.headers['x-forwarded-email'] ?? req.headers['x-forwarded-user'];
  return typeof h === 'string' && h.length > 0 && h.length <= 256 ? h : null;
}

/**
 * With AUTH_MODE=proxy, the console and API answer only requests the proxy authenticated, from
 * the allowed e-mail domains. The webhook and probes keep their own checks.
 */
export function authHook(app: FastifyInstance, config: Config) {
  if (config.AUTH_MODE !== 'proxy') return;
  const domains = config.AUTH_ALLOWED_DOMAINS.map((d) => d.toLowerCase());
  app.addHook('onRequest', async (req) => {
    const path = req.url.split('?')[0]!;
    if (path === '/alerts' || path === '/health' || path === '/ready' || path === '/metrics') return;
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
  });
}
