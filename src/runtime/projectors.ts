import { casesProjection } from '../projections/cases-projection.js';
import { ProjectorRunner } from '../projections/runner.js';
import { reportProjection } from '../projections/report-projection.js';
import { dispatcherProjection } from '../dispatch/dispatcher.js';
import { createObjectStore } from '../reports/create.js';
import { renderReport } from '../reports/render.js';
import type { Context } from './context.js';

/** Starts the read-model projector, the report snapshot writer and the dispatcher; each holds its own lock. */
export function startProjectors(ctx: Context): ProjectorRunner[] {
  const deps = { pool: ctx.pool, store: ctx.store, log: ctx.log };
  const js = ctx.nc.jetstream();
  return [
    new ProjectorRunner(deps, casesProjection),
    new ProjectorRunner(
      deps,
      dispatcherProjection(js, ctx.config.JETSTREAM_SUBJECT, ctx.config.JETSTREAM_STREAM),
    ),
    new ProjectorRunner(
      deps,
      reportProjection(createObjectStore(ctx.config), ctx.config.S3_PREFIX, renderReport),
    ),
  ].map((r) => r.start());
}
