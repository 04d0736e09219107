import type { FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';
import type { RequestSource } from '../events/auth-events.js';
import { TarkaError } from '../shared/errors.js';
import { atLeast, type Role } from './roles.js';

/** Who a request acts for, once the console scope's sign-in hook has run. */
export interface Principal {
  /** null for the open (disabled) mode and for proxy users (who have no user aggregate here). */
  userId: string | null;
  /** What `by` says on events: the e-mail, `token:<name>` for an API token, null when open. */
  name: string | null;
  role: Role;
  via: 'session' | 'token' | 'proxy' | 'open';
  /** Hash of the session secret (via session): what logout and the websocket check use. */
  session?: Buffer;
}

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal | null;
  }
}

/** Where a request came from, as stored in audit and case events (bounded). */
export function requestSource(req: FastifyRequest): RequestSource {
  const ua = req.headers['user-agent'];
  return { ip: req.ip?.slice(0, 64) ?? null, userAgent: typeof ua === 'string' ? ua.slice(0, 512) : null };
}

/** Who acts, for the `by` of events. */
export const actorOf = (req: FastifyRequest): string | null => req.principal?.name ?? null;

/**
 * A Fastify preHandler that lets a request through only with at least `role`
 * (`{ preHandler: requireRole('responder') }` on any route of the console scope).
 */
export function requireRole(role: Role): preHandlerAsyncHookHandler {
  return async (req) => {
    const p = req.principal;
    if (!p) throw new TarkaError('TARKA_UNAUTHORIZED', 'not signed in', 'sign in at /login');
    if (!atLeast(p.role, role)) {
      throw new TarkaError(
        'TARKA_FORBIDDEN',
        `this needs the ${role} role; you are ${p.role}`,
        'ask an admin for a role change',
      );
    }
  };
}
