import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
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
import { apiRoutes } from './api.js';
import { dashboardRoutes } from './dashboard.js';
import { errorHandler } from './errors.js';
import type { Metrics } from './metrics.js';
import { opsRoutes } from './ops.js';
import { consoleRoutes } from './static.js';
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

/** The HTTP face of Tarka: webhook, API and operations endpoints (or only the latter, for workers). */
export function buildApp(deps: AppDeps, parts: { public: boolean } = { public: true }): FastifyInstance {
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
  app.setErrorHandler(errorHandler(deps.log, deps.config.WEBHOOK_BODY_LIMIT_BYTES));
  app.setNotFoundHandler((req, reply) =>
    reply.status(404).send({
      code: 'TARKA_NOT_FOUND',
      message: `no route ${req.method} ${req.url}`,
      hint: 'see the README for the API',
    }),
  );
  authHook(app, deps.config);
  if (parts.public) {
    webhookRoutes(app, deps);
    apiRoutes(app, deps);
    actionRoutes(app, deps);
    dashboardRoutes(app, deps);
    liveRoutes(app, deps);
    consoleRoutes(app, deps);
  }
  opsRoutes(app, deps);
  return app;
}
