import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import helmet from 'helmet';
import type { NatsConnection } from 'nats';
import type pg from 'pg';
import type { DatabasePool } from 'slonik';
import type { CaseCommandHandler } from '../commands/case/handler.js';
import type { EventStore } from '../events/event-store.js';
import type { Config } from '../shared/config.js';
import type { Logger } from '../shared/log.js';
import { liveRoutes } from '../live/routes.js';
import { actionRoutes } from './actions.js';
import { authHook } from './auth.js';
import { browserGuards } from './browser-security.js';
import { apiRoutes } from './api.js';
import { dashboardRoutes } from './dashboard.js';
import { errorHandler } from './errors.js';
import type { Metrics } from './metrics.js';
import { opsRoutes } from './ops.js';
import { consoleRoutes, consoleBuildDir, inlineScriptHashes } from './static.js';
import { webhookRoutes } from './webhook.js';

export interface AppDeps {
  config: Config;
  log: Logger;
  store: EventStore;
  handler: CaseCommandHandler;
  pool: pg.Pool;
  readPool: DatabasePool;
  metrics: Metrics;
  nc?: NatsConnection;
}

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
 * The HTTP face of Tarka: webhook, API, console and operations endpoints. `routes` splits them so
 * a webhook pod (reachable by Alertmanager) never answers the console or trusts identity headers.
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
  // of a webhook request). The first hook, so refusals by the hooks below carry the headers too.
  const headers = helmet(securityHeaders(deps.config, ui ? inlineScriptHashes(consoleDir) : []));
  app.addHook('onRequest', (req, reply, done) =>
    headers(req.raw, reply.raw, (err?: unknown) => done(err as Error | undefined)),
  );
  app.setErrorHandler(errorHandler(deps.log, deps.config.WEBHOOK_BODY_LIMIT_BYTES));
  app.setNotFoundHandler((req, reply) =>
    reply.status(404).send({
      code: 'TARKA_NOT_FOUND',
      message: `no route ${req.method} ${req.url}`,
      hint: 'see the README for the API',
    }),
  );
  if (ui) {
    browserGuards(app, deps.config);
    authHook(app, deps.config);
  }
  if (webhook) webhookRoutes(app, deps);
  if (ui) {
    apiRoutes(app, deps);
    actionRoutes(app, deps);
    dashboardRoutes(app, deps);
    liveRoutes(app, deps);
    consoleRoutes(app, deps, consoleDir);
  }
  opsRoutes(app, deps);
  return app;
}
