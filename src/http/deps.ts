import type { NatsConnection } from 'nats';
import type pg from 'pg';
import type { DatabasePool } from 'slonik';
import type { CaseCommandHandler } from '../commands/case/handler.js';
import type { EventStore } from '../events/event-store.js';
import type { Config } from '../shared/config.js';
import type { Logger } from '../shared/log.js';
import type { Metrics } from './metrics.js';

/** What the HTTP scopes are built from (each takes the part it uses). */
export interface AppDeps {
  config: Config;
  log: Logger;
  store: EventStore;
  handler: CaseCommandHandler;
  pool: pg.Pool;
  readPool: DatabasePool;
  metrics: Metrics;
  nc?: NatsConnection;
}
