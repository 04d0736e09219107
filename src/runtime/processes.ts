import { buildApp } from '../http/app.js';
import { assertSecureExposure, insecureExposure } from '../http/browser-security.js';
import type { Context } from './context.js';

export interface Running {
  stop(): Promise<void>;
}

/** Webhook, API and console (as SERVE_ROUTES says) and operations endpoints on HOST:PORT. */
export async function startServe(ctx: Context): Promise<Running & { url: string }> {
  // Checked again here for callers that skip the CLI: never expose an open webhook or console.
  assertSecureExposure(ctx.config);
  if (
    ctx.config.TARKA_ALLOW_INSECURE &&
    insecureExposure({ ...ctx.config, TARKA_ALLOW_INSECURE: false }).length
  ) {
    ctx.log.warn(
      { host: ctx.config.HOST },
      'TARKA_ALLOW_INSECURE=true: serving without authentication on a non-loopback address',
    );
  }
  const app = buildApp(ctx);
  await app.listen({ host: ctx.config.HOST, port: ctx.config.PORT });
  const addr = app.server.address() as { port: number };
  const host = ctx.config.HOST === '0.0.0.0' || ctx.config.HOST === '::' ? '127.0.0.1' : ctx.config.HOST;
  const url = `http://${host}:${addr.port}`;
  ctx.log.info({ url }, 'tarka serve listening');
  return { url, stop: () => app.close() };
}

/** Health, readiness and metrics alone, for processes with no public API. */
export async function startOps(ctx: Context): Promise<Running> {
  const app = buildApp(ctx, 'ops');
  await app.listen({ host: ctx.config.HOST, port: ctx.config.PORT });
  return { stop: () => app.close() };
}

/** Projectors and the dispatcher, plus health and metrics for probes on HOST:PORT. */
export async function startProject(ctx: Context, options: { http: boolean }): Promise<Running> {
  // Loaded here, not at the top: `tarka serve` would otherwise carry report rendering and the
  // analysis modules in memory without ever using them.
  const [{ startProjectors }, { readModels }, { upgradeReadModels }] = await Promise.all([
    import('./projectors.js'),
    import('../projections/registry.js'),
    import('../projections/engine/upgrade.js'),
  ]);
  await upgradeReadModels(ctx, readModels);
  const runners = startProjectors(ctx);
  let app: ReturnType<typeof buildApp> | undefined;
  if (options.http) {
    app = buildApp(ctx, 'ops');
    await app.listen({ host: ctx.config.HOST, port: ctx.config.PORT });
  }
  return {
    stop: async () => {
      await app?.close();
      await Promise.all(runners.map((r) => r.stop()));
    },
  };
}
