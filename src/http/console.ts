import type { FastifyPluginAsync } from 'fastify';
import { liveScope } from '../live/routes.js';
import { actionRoutes } from './actions.js';
import { chatRoutes } from './chat.js';
import { incidentRoutes } from './incidents.js';
import type { AppDeps } from './deps.js';
import { apiRoutes } from './api.js';
import { authScope, authService } from './sign-in.js';
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
  // Built now, so a mode without what it needs (proxy without its secret) stops buildApp rather
  // than the first request.
  const auth = authService(deps);
  return async (scope) => {
    browserGuards(scope, deps.config);
    // Sign-in (src/auth): who each request is, the sign-in routes, role checks, admin API.
    authScope(scope, deps.config, auth, deps.readPool);
    scope.setNotFoundHandler(notFound);
    apiRoutes(scope, deps);
    actionRoutes(scope, deps);
    chatRoutes(scope, deps);
    incidentRoutes(scope, deps);
    dashboardRoutes(scope, deps);
    scope.register(liveScope({ ...deps, auth }));
    consoleRoutes(scope, deps, consoleDir);
  };
}
