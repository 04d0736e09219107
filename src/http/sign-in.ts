import { fastifyCookie } from '@fastify/cookie';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { DatabasePool } from 'slonik';
import { z } from 'zod';
import { proxyAuthHook, proxyIdentity } from './auth.js';
import { notForConsole, sameOrigin } from './browser-security.js';
import type { Config } from '../shared/config.js';
import { TarkaError } from '../shared/errors.js';
import { safeNext } from '../auth/redirect.js';
import { loginCss, loginPage } from '../auth/login-page.js';
import type { PendingSignIn } from '../auth/oidc.js';
import { requestSource, type Principal } from '../auth/principal.js';
import { roleFromGroups, atLeast } from '../auth/roles.js';
import { AuthService } from '../auth/service.js';
import { createPool, pgSettings } from '../db/postgres.js';
import type { EventStore } from '../events/event-store.js';
import type { Logger } from '../shared/log.js';
import { newSecret } from '../auth/sessions.js';
import { TOKEN_PREFIX } from '../auth/api-tokens.js';
import { adminRoutes } from './admin.js';

/** Cookie names: `__Host-` (Secure, no Domain, Path=/) on https; browsers refuse that prefix on http. */
export function cookieNames(config: Config) {
  const https = config.AUTH_PUBLIC_BASE_URL?.startsWith('https:') ?? false;
  return {
    secure: https,
    session: https ? '__Host-tarka_session' : 'tarka_session',
    pending: https ? '__Host-tarka_oidc' : 'tarka_oidc',
  };
}

// Reachable without a session: the sign-in page and the steps of signing in.
const publicPaths = new Set([
  '/login',
  '/auth/login',
  '/auth/login.css',
  '/auth/oidc/start',
  '/auth/oidc/callback',
  '/favicon.ico',
  '/favicon.png',
]);
const stateChanging = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

const unauthorized = () =>
  new TarkaError(
    'TARKA_UNAUTHORIZED',
    'not signed in',
    'sign in at /login, or send Authorization: Bearer <API token>',
  );

/**
 * Sign-in for the console scope: who each request is (session cookie, API token, proxy headers,
 * or nobody in the open mode), the sign-in and sign-out routes, and the admin API. Role checks:
 * every state-changing /api route needs at least responder and /api/admin needs admin, here, in
 * front of any route (so a new route cannot forget); routes add requireRole for their own needs.
 */
export function authScope(
  scope: FastifyInstance,
  config: Config,
  auth: AuthService | null,
  readPool: DatabasePool,
): void {
  const names = cookieNames(config);
  // loadConfig requires the secret where sign-in runs; a hand-built config gets one per process.
  const signSecret = config.AUTH_SESSION_SECRET ?? newSecret();
  const publicOrigin = config.AUTH_PUBLIC_BASE_URL
    ? new URL(config.AUTH_PUBLIC_BASE_URL).origin.toLowerCase()
    : null;
  const proxy = proxyAuthHook(config);
  scope.register(fastifyCookie, { hook: false });
  if (auth) scope.addHook('onClose', () => auth.close());
  scope.decorateRequest('principal', null);
  scope.addContentTypeParser(
    'application/x-www-form-urlencoded',
    { parseAs: 'string', bodyLimit: 8192 },
    (_req, body, done) => done(null, Object.fromEntries(new URLSearchParams(body as string))),
  );

  const sessionCookie = (reply: FastifyReply, token: string) =>
    reply.setCookie(names.session, token, {
      httpOnly: true,
      secure: names.secure,
      sameSite: 'lax',
      path: '/',
      maxAge: config.AUTH_SESSION_MAX_HOURS * 3600,
    });

  async function identify(req: FastifyRequest, reply: FastifyReply): Promise<Principal | null> {
    switch (config.AUTH_MODE) {
      case 'disabled':
        return { userId: null, name: null, role: 'admin', via: 'open' };
      case 'proxy': {
        await proxy!.call(scope, req, reply);
        const groups = String(req.headers['x-forwarded-groups'] ?? '')
          .split(',')
          .map((g) => g.trim())
          .filter(Boolean);
        // Proxy users act as responders unless AUTH_ROLE_MAP says otherwise (what proxy mode always allowed).
        const role = roleFromGroups(groups, config.AUTH_ROLE_MAP, 'responder')!;
        return { userId: null, name: proxyIdentity(req), role, via: 'proxy' };
      }
    }
    if (!auth) return null;
    const header = req.headers.authorization;
    if (typeof header === 'string' && header.startsWith(`Bearer ${TOKEN_PREFIX}`)) {
      const t = await auth.tokens.lookup(header.slice('Bearer '.length).trim());
      if (!t)
        throw new TarkaError(
          'TARKA_UNAUTHORIZED',
          'unknown, expired or revoked API token',
          'ask an admin for a new token',
        );
      return { userId: null, name: `token:${t.name}`, role: t.role, via: 'token' };
    }
    const cookie = fastifyCookie.parse(req.headers.cookie ?? '')[names.session];
    if (!cookie || cookie.length > 100) return null;
    const s = await auth.sessions.lookup(cookie);
    return s ? { userId: s.userId, name: s.email, role: s.role, via: 'session', session: s.tokenHash } : null;
  }

  scope.addHook('onRequest', async (req, reply) => {
    if (notForConsole(req)) return;
    const path = req.url.split('?')[0]!;
    if (publicPaths.has(path)) return;
    req.principal = await identify(req, reply);
    const p = req.principal;
    if (!p) {
      if (path.startsWith('/api/') || (req.method !== 'GET' && req.method !== 'HEAD')) throw unauthorized();
      // A console page: to the sign-in page, and back here afterwards.
      return reply.redirect(`/login?next=${encodeURIComponent(safeNext(req.url))}`, 303);
    }
    if (path.startsWith('/api/admin/') && !atLeast(p.role, 'admin')) {
      throw new TarkaError('TARKA_FORBIDDEN', 'this needs the admin role', 'ask an admin');
    }
    if (
      stateChanging.has(req.method) &&
      path.startsWith('/api/') &&
      !path.startsWith('/api/auth/') &&
      !atLeast(p.role, 'responder')
    ) {
      throw new TarkaError(
        'TARKA_FORBIDDEN',
        `this needs the responder role; you are ${p.role}`,
        'ask an admin for a role change',
      );
    }
  });

  scope.get('/api/auth/me', async (req) => ({
    mode: config.AUTH_MODE,
    name: req.principal?.name ?? null,
    role: req.principal?.role ?? null,
    via: req.principal?.via ?? null,
    canSignOut: req.principal?.via === 'session',
  }));

  if (!auth) return;

  // ---- sign-in page and password sign-in ----
  const page = (reply: FastifyReply, status: number, next: string, error: string | null, email?: string) =>
    reply
      .status(status)
      .type('text/html; charset=utf-8')
      .header('cache-control', 'no-store')
      .send(
        loginPage({
          passwords: auth.passwords,
          provider: auth.oidc ? auth.providerName : null,
          next,
          error,
          ...(email ? { email } : {}),
        }),
      );

  scope.get('/auth/login.css', async (_req, reply) => reply.type('text/css; charset=utf-8').send(loginCss));
  scope.get<{ Querystring: { next?: string } }>('/login', async (req, reply) =>
    page(reply, 200, safeNext(req.query.next), null),
  );

  const crossSite = (req: FastifyRequest) => {
    if (!sameOrigin(req, publicOrigin)) {
      throw new TarkaError(
        'TARKA_CROSS_ORIGIN',
        'a sign-in or sign-out sent from another site',
        'use the sign-in page of this server',
      );
    }
  };

  if (auth.passwords) {
    scope.post('/auth/login', async (req, reply) => {
      crossSite(req);
      const body = (req.body ?? {}) as Record<string, unknown>;
      const next = safeNext(body.next);
      const email = typeof body.email === 'string' ? body.email.slice(0, 320) : '';
      const password = typeof body.password === 'string' ? body.password : '';
      const json = (req.headers['content-type'] ?? '').startsWith('application/json');
      try {
        const user = await auth.signInWithPassword(email, password, requestSource(req));
        sessionCookie(reply, user.token);
        return json ? reply.send({ name: user.email, role: user.role, next }) : reply.redirect(next, 303);
      } catch (e) {
        if (!(e instanceof TarkaError) || json) {
          if (e instanceof TarkaError && e.code === 'TARKA_SIGN_IN_LIMITED')
            reply.header('retry-after', String((e as { retryAfter?: number }).retryAfter ?? 60));
          throw e;
        }
        if (e.code === 'TARKA_SIGN_IN_LIMITED') {
          reply.header('retry-after', String((e as { retryAfter?: number }).retryAfter ?? 60));
          return page(reply, 429, next, 'Too many failed sign-ins. Try again later.', email);
        }
        if (e.code === 'TARKA_SIGN_IN_FAILED')
          return page(reply, 401, next, 'Wrong e-mail or password.', email);
        throw e;
      }
    });
  }

  // ---- OpenID Connect ----
  const oidc = auth.oidc;
  if (oidc) {
    scope.get<{ Querystring: { next?: string } }>('/auth/oidc/start', async (req, reply) => {
      const { url, pending } = await oidc.start(safeNext(req.query.next));
      const value = fastifyCookie.sign(
        Buffer.from(JSON.stringify(pending)).toString('base64url'),
        signSecret,
      );
      reply.setCookie(names.pending, value, {
        httpOnly: true,
        secure: names.secure,
        sameSite: 'lax',
        path: '/',
        maxAge: 600,
      });
      return reply.header('cache-control', 'no-store').redirect(url, 303);
    });
    scope.get('/auth/oidc/callback', async (req, reply) => {
      const raw = fastifyCookie.parse(req.headers.cookie ?? '')[names.pending];
      reply.clearCookie(names.pending, { path: '/', secure: names.secure, httpOnly: true, sameSite: 'lax' });
      const unsigned = raw ? fastifyCookie.unsign(raw, signSecret) : null;
      let pending: PendingSignIn | null;
      try {
        pending = unsigned?.valid
          ? (JSON.parse(Buffer.from(unsigned.value, 'base64url').toString()) as PendingSignIn)
          : null;
      } catch {
        pending = null;
      }
      if (!pending)
        return page(reply, 400, '/', 'The sign-in took too long or was started elsewhere. Try again.');
      const callback = new URL(req.url, config.AUTH_PUBLIC_BASE_URL);
      let identity;
      try {
        identity = await oidc.finish(callback, pending);
      } catch (e) {
        req.log.warn({ err: e instanceof Error ? e.message : String(e) }, 'OpenID sign-in refused');
        await auth.recordProviderFailure(requestSource(req));
        return page(reply, 401, pending.next, 'The sign-in could not be completed. Try again.');
      }
      try {
        const user = await auth.signInWithOidc(identity, requestSource(req));
        sessionCookie(reply, user.token);
        return reply.redirect(safeNext(pending.next), 303);
      } catch (e) {
        if (e instanceof TarkaError && (e.code === 'TARKA_SIGN_IN_FAILED' || e.code === 'TARKA_FORBIDDEN')) {
          return page(
            reply,
            e.code === 'TARKA_FORBIDDEN' ? 403 : 401,
            '/',
            e.message[0]!.toUpperCase() + e.message.slice(1) + '.',
          );
        }
        throw e;
      }
    });
  }

  // ---- sign-out ----
  const signOut = async (req: FastifyRequest, reply: FastifyReply, everywhere: boolean) => {
    const p = req.principal;
    if (p?.via === 'session' && p.userId && p.session) {
      await auth.signOut(
        { userId: p.userId, email: p.name ?? '', role: p.role },
        p.session,
        everywhere,
        requestSource(req),
      );
    }
    reply.clearCookie(names.session, { path: '/', secure: names.secure, httpOnly: true, sameSite: 'lax' });
  };
  const everywhereBody = z.object({ everywhere: z.boolean().default(false) }).loose();
  scope.post('/api/auth/logout', async (req, reply) => {
    const b = everywhereBody.safeParse(req.body ?? {});
    await signOut(req, reply, b.success ? b.data.everywhere : false);
    return reply.send({ signedOut: true });
  });
  scope.post('/auth/logout', async (req, reply) => {
    crossSite(req);
    const body = (req.body ?? {}) as Record<string, unknown>;
    await signOut(req, reply, body.everywhere === 'true' || body.everywhere === true);
    return reply.redirect('/login', 303);
  });

  adminRoutes(scope, auth, readPool);
}

/**
 * The sign-in service of a process serving the console, or null for the modes that need none
 * (disabled; proxy, whose secret is checked here so a proxy mode without it stops at start).
 * The initial admin is created once Postgres answers (serve may start before it does).
 */
export function authService(deps: { config: Config; store: EventStore; log: Logger }): AuthService | null {
  const { config, log } = deps;
  if (config.AUTH_MODE === 'disabled') return null;
  if (config.AUTH_MODE === 'proxy') {
    proxyAuthHook(config);
    return null;
  }
  // A pool of its own: sign-in answers every request, and must not queue behind projectors or
  // long reads on the process's main pool.
  const pool = createPool(pgSettings(config), 4);
  const auth = new AuthService(config, pool, deps.store, log);
  let closed = false;
  // Ended sessions and stale failure counts are dropped now and then (nothing depends on when).
  const prune = setInterval(() => {
    Promise.all([auth.sessions.prune(), auth.limits.prune()]).catch((e: unknown) =>
      log.debug({ err: e instanceof Error ? e.message : String(e) }, 'sign-in tables not pruned this time'),
    );
  }, 3600_000);
  prune.unref();
  if (config.AUTH_INITIAL_ADMIN_EMAIL && auth.passwords) {
    const attempt = (delay: number) =>
      auth.ensureInitialAdmin().catch((e: unknown) => {
        if (closed) return;
        log.warn(
          { err: e instanceof Error ? e.message : String(e) },
          'initial admin not created yet; retrying',
        );
        setTimeout(() => void attempt(Math.min(delay * 2, 60_000)), delay).unref();
      });
    void attempt(1000);
  }
  auth.close = async () => {
    closed = true;
    clearInterval(prune);
    await pool.end().catch(() => undefined);
  };
  return auth;
}
