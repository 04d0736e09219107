import { casesProjection } from '../projections/cases-projection.js';
import { ProjectorRunner } from '../projections/runner.js';
import { dispatcherProjection } from '../dispatch/dispatcher.js';
import type { Context } from './context.js';

/** Starts the read-model projectors and the dispatcher; each holds its own lock. */
export function startProjectors(ctx: Context): ProjectorRunner[] {
  const deps = { pool: ctx.pool, store: ctx.store, log: ctx.log };
  const js = ctx.nc.jetstream();
  return [
    new ProjectorRunner(deps, casesProjection),
    new ProjectorRunner(
      deps,
      dispatcherProjection(js, ctx.config.JETSTREAM_SUBJECT, ctx.config.JETSTREAM_STREAM),
    ),
  ].map((r) => r.start());
}
