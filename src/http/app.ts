import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import helmet from 'helmet';
import type { Config } from '../shared/config.js';
import { consoleScope } from './console.js';
import type { AppDeps } from './deps.js';
import { errorHandler, notFound } from './errors.js';
import { opsScope } from './ops.js';
import { consoleBuildDir, inlineScriptHashes } from './static.js';
import { webhookScope } from './webhook.js';

export type { AppDeps } from './deps.js';

const noSchemas = () => () => {
  throw new Error('Tarka routes validate with zod; a Fastify route schema is not supported');
};

/** Which routes a process answers besides /health, /ready and /metrics (SERVE_ROUTES; `ops`: none). */
export type Routes = Config['SERVE_ROUTES'] | 'ops';

/** Security headers on every answer: the console is a page full of other people's text. */
function securityHeaders(config: Config, scriptHashes: string[]) {
  const https = config.AUTH_PUBLIC_BASE_URL?.startsWith('https:') ?? false;
  return {
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        // The console's own bundle, and SvelteKit's inline bootstrap by its hash.
        scriptSrc: ["'self'", ...scriptHashes],
        // Stylesheets only our own; style attributes (Svelte's score bars) may not run code.
        styleSrc: ["'self'"],
        styleSrcAttr: ["'unsafe-inline'"],
        imgSrc: ["'self'", 'data:'],
        fontSrc: ["'self'"],
        connectSrc: ["'self'"],
        objectSrc: ["'none'"],
        baseUri: ["'none'"],
        frameAncestors: ["'none'"],
        formAction: ["'self'"],
      },
    },
    xFrameOptions: { action: 'deny' as const },
    referrerPolicy: { policy: 'same-origin' as const },
    strictTransportSecurity: https ? { maxAge: 31_536_000, includeSubDomains: false } : false,
  };
}

/**
 * The HTTP face of Tarka as Fastify plugins: the webhook scope, the console + API scope and the ops
 * scope (/health, /ready, /metrics). `routes` picks the first two so a webhook pod (reachable by
 * Alertmanager) never answers the console or trusts identity headers; ops is always served.
 */
export function buildApp(
  deps: AppDeps,
  routes: Routes = deps.config.SERVE_ROUTES,
  consoleDir: string = consoleBuildDir,
): FastifyInstance {
  const app: FastifyInstance = Fastify({
    loggerInstance: deps.log as FastifyBaseLogger,
    // A line per request would cost more than handling the request at webhook rates.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: 1024 * 1024,
    // The client address (sign-in limits, audit, live connections per address) from
    // X-Forwarded-For only when the peer is a proxy we were told to trust.
    trustProxy: deps.config.TRUSTED_PROXIES.length ? deps.config.TRUSTED_PROXIES : false,
    return503OnClosing: true,
    // Requests are validated with zod and replies are plain JSON: no route declares a JSON schema,
    // so Fastify's schema compilers (ajv, fast-json-stringify: megabytes of heap) stay unloaded.
    schemaController: {
      compilersFactory: { buildValidator: noSchemas, buildSerializer: noSchemas },
    },
  });
  const webhook = routes === 'all' || routes === 'webhook';
  const ui = routes === 'all' || routes === 'console';
  // helmet's middleware, built once (@fastify/helmet rebuilds it per request: ~25 µs, a few percent
  // of a webhook request). A root hook, so every scope inherits it first and the refusals of their
  // own hooks carry the headers too.
  const headers = helmet(securityHeaders(deps.config, ui ? inlineScriptHashes(consoleDir) : []));
  app.addHook('onRequest', (req, reply, done) =>
    headers(req.raw, reply.raw, (err?: unknown) => done(err as Error | undefined)),
  );
  // Domain errors (TarkaError with a catalogue code) become answers here, for every scope.
  app.setErrorHandler(errorHandler(deps.log, deps.config.WEBHOOK_BODY_LIMIT_BYTES));
  // Three encapsulated scopes: the hooks of one (webhook credentials, browser guards, proxy auth)
  // never run on another's routes. The console scope answers unknown routes where it is served.
  if (webhook) app.register(webhookScope(deps));
  if (ui) app.register(consoleScope(deps, consoleDir));
  else app.setNotFoundHandler(notFound);
  app.register(opsScope(deps));
  return app;
}
