import type { NatsConnection } from 'nats';
import type { Projector } from '../projections/engine/projection.js';
import { ProjectorRunner } from '../projections/engine/runner.js';
import { readModels } from '../projections/registry.js';
import { reactorsOf } from '../reactors/registry.js';
import type { Config } from '../shared/config.js';
import type { Context } from './context.js';

/** Everything the `project` role runs: every read model and every reactor. */
export function projectorsOf(
  config: Config,
  nc: NatsConnection,
  chat?: Parameters<typeof reactorsOf>[2],
): Projector[] {
  return [...readModels, ...reactorsOf(config, nc, chat)];
}

/** Starts one runner per read model and reactor; each holds its own lock. */
export function startProjectors(ctx: Context): ProjectorRunner[] {
  const deps = { pool: ctx.pool, store: ctx.store, log: ctx.log, metrics: ctx.metrics };
  const chat = { store: ctx.store, readPool: ctx.readPool, handler: ctx.handler, log: ctx.log };
  return projectorsOf(ctx.config, ctx.nc, chat).map((p) => new ProjectorRunner(deps, p).start());
}
