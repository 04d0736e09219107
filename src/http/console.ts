import type { FastifyPluginAsync } from 'fastify';
import { liveScope } from '../live/routes.js';
import { actionRoutes } from './actions.js';
import { chatRoutes } from './chat.js';
import type { AppDeps } from './deps.js';
import { apiRoutes } from './api.js';
import { proxyAuthHook } from './auth.js';
import { browserGuards } from './browser-security.js';
import { dashboardRoutes } from './dashboard.js';
import { notFound } from './errors.js';
import { consoleRoutes } from './static.js';

/**
 * The console + API scope: browser guards (Host, Origin, media type) and proxy auth as hooks of
 * this scope only, then the API, on-call actions, dashboard, live websocket and the static console.
 * It also answers unknown routes, so they meet the same guards as the console's own.
 */
export function consoleScope(deps: AppDeps, consoleDir: string): FastifyPluginAsync {
  // Built now, so a proxy mode without its secret stops buildApp rather than the first request.
  const auth = proxyAuthHook(deps.config);
  return async (scope) => {
    browserGuards(scope, deps.config);
    if (auth) scope.addHook('onRequest', auth);
    scope.setNotFoundHandler(notFound);
    apiRoutes(scope, deps);
    actionRoutes(scope, deps);
    chatRoutes(scope, deps);
    dashboardRoutes(scope, deps);
    scope.register(liveScope(deps));
    consoleRoutes(scope, deps, consoleDir);
  };
}
