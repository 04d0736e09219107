import type { NatsConnection } from 'nats';
import type { Reactor } from '../projections/engine/projection.js';
import { createObjectStore } from '../reports/create.js';
import { renderReport } from '../reports/render.js';
import type { Config } from '../shared/config.js';
import { dispatcher } from './dispatcher.js';
import { reportWriter } from './report-writer.js';
import { incidentGrouper } from './incident-grouper.js';
import type { EventStore } from '../events/event-store.js';

/** Every reactor: effects fed from the log, each with its own checkpoint and lock. */
export function reactorsOf(config: Config, nc: NatsConnection, store: EventStore): Reactor[] {
  return [
    dispatcher(nc.jetstream(), config.JETSTREAM_SUBJECT, config.JETSTREAM_STREAM),
    reportWriter(createObjectStore(config), config.S3_PREFIX, renderReport),
    ...(config.INCIDENT_WINDOW_MINUTES > 0
      ? [incidentGrouper(store, config.INCIDENT_WINDOW_MINUTES * 60_000)]
      : []),
  ];
}
