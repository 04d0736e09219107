import type { NatsConnection } from 'nats';
import type { Projector } from '../projections/engine/projection.js';
import { ProjectorRunner } from '../projections/engine/runner.js';
import { readModels } from '../projections/registry.js';
import { reactorsOf } from '../reactors/registry.js';
import type { Config } from '../shared/config.js';
import type { EventStore } from '../events/event-store.js';
import type { Context } from './context.js';

/** Everything the `project` role runs: every read model and every reactor. */
export function projectorsOf(config: Config, nc: NatsConnection, store: EventStore): Projector[] {
  return [...readModels, ...reactorsOf(config, nc, store)];
}

/** Starts one runner per read model and reactor; each holds its own lock. */
export function startProjectors(ctx: Context): ProjectorRunner[] {
  const deps = { pool: ctx.pool, store: ctx.store, log: ctx.log, metrics: ctx.metrics };
  return projectorsOf(ctx.config, ctx.nc, ctx.store).map((p) => new ProjectorRunner(deps, p).start());
}
