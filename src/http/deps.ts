import type { NatsConnection } from 'nats';
import type pg from 'pg';
import type { DatabasePool } from 'slonik';
import type { CaseCommandHandler } from '../commands/case/handler.js';
import type { EventStore } from '../events/event-store.js';
import type { Config } from '../shared/config.js';
import type { Logger } from '../shared/log.js';
import type { Metrics } from './metrics.js';

/** Whether Postgres is set up yet, and whether this process needs it to be ready (runtime tells). */
export interface DatabaseHealth {
  /** runtime's PostgresNeed ('required' | 'optional'); /ready ignores a Postgres down only when 'optional'. */
  readonly need: string;
  /** Undefined once the database is set up; until then, why it is not. */
  readonly problem: string | undefined;
}

/** What the HTTP scopes are built from (each takes the part it uses); handed in by runtime. */
export interface AppDeps {
  config: Config;
  log: Logger;
  store: EventStore;
  handler: CaseCommandHandler;
  pool: pg.Pool;
  readPool: DatabasePool;
  metrics: Metrics;
  nc?: NatsConnection;
  database?: DatabaseHealth;
}
