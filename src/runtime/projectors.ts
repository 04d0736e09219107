import type { NatsConnection } from 'nats';
import { casesProjection } from '../projections/cases/projection.js';
import type { Projection } from '../projections/engine/projection.js';
import { ProjectorRunner } from '../projections/engine/runner.js';
import { reportProjection } from '../reactors/report-writer.js';
import { dispatcherProjection } from '../reactors/dispatcher.js';
import { createObjectStore } from '../reports/create.js';
import { renderReport } from '../reports/render.js';
import type { Config } from '../shared/config.js';
import type { Context } from './context.js';

/** Every projector: the read model, the dispatcher and the report snapshot writer. */
export function projectionsOf(config: Config, nc: NatsConnection): Projection[] {
  return [
    casesProjection,
    dispatcherProjection(nc.jetstream(), config.JETSTREAM_SUBJECT, config.JETSTREAM_STREAM),
    reportProjection(createObjectStore(config), config.S3_PREFIX, renderReport),
  ];
}

/** Starts the read-model projector, the report snapshot writer and the dispatcher; each holds its own lock. */
export function startProjectors(ctx: Context): ProjectorRunner[] {
  const deps = { pool: ctx.pool, store: ctx.store, log: ctx.log, metrics: ctx.metrics };
  return projectionsOf(ctx.config, ctx.nc).map((p) => new ProjectorRunner(deps, p).start());
}
