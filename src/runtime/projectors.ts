import type { NatsConnection } from 'nats';
import type { Projector } from '../projections/engine/projection.js';
import { ProjectorRunner } from '../projections/engine/runner.js';
import { readModels } from '../projections/registry.js';
import { reactorsOf } from '../reactors/registry.js';
import { sharedReading } from '../projections/engine/shared-read.js';
import type { Config } from '../shared/config.js';
import type { EventStore } from '../events/event-store.js';
import type { Context } from './context.js';

/** Everything the `project` role runs: every read model and every reactor. */
export function projectorsOf(config: Config, nc: NatsConnection, store: EventStore): Projector[] {
  return [...readModels, ...reactorsOf(config, nc, store)];
}

/**
 * Starts one runner per read model and reactor; each holds its own lock and checkpoint. The read
 * models share one read of the log (they all wait on the same Postgres anyway); reactors read on
 * their own, so an effect that hangs (S3, NATS) never holds the read models back.
 */
export function startProjectors(ctx: Context): ProjectorRunner[] {
  const deps = { pool: ctx.pool, store: ctx.store, log: ctx.log, metrics: ctx.metrics };
  const shared = { ...deps, store: sharedReading(ctx.store, readModels.length) };
  return [
    ...readModels.map((p) => new ProjectorRunner(shared, p).start()),
    ...reactorsOf(ctx.config, ctx.nc, ctx.store).map((p) => new ProjectorRunner(deps, p).start()),
  ];
}
