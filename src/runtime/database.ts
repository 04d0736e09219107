import type pg from 'pg';
import { createPool, pgSettings } from '../db/postgres.js';
import type { Config } from '../shared/config.js';
import { isDependencyDown } from '../shared/dependency-down.js';
import { TarkaError } from '../shared/errors.js';
import type { Logger } from '../shared/log.js';
import { setUpDatabase } from './connections.js';

/**
 * 'required': the process cannot work without Postgres (project, up, replay). 'optional': it serves
 * its main job without it (serve takes alerts, a worker investigates) and may start while
 * Postgres is down.
 */
export type PostgresNeed = 'required' | 'optional';

/** Whether the database is set up yet; the read pool and /ready ask it. */
export interface DatabaseStatus {
  readonly need: PostgresNeed;
  /** Undefined once the database is set up; until then, why it is not. */
  readonly problem: string | undefined;
  /** Throws TARKA_DEPENDENCY_DOWN (503) while the database is not set up. */
  assertReady(): void;
  stop(): void;
}

/**
 * The write pool and the database set up. When Postgres is optional and down at start, the process
 * starts anyway and keeps setting the database up in the background (backing off to 30 s), so it
 * recovers by itself; any other failure (a bad migration, a wrong password) still stops start-up.
 */
export async function openDatabase(
  config: Config,
  log: Logger,
  need: PostgresNeed,
): Promise<{ pool: pg.Pool; status: DatabaseStatus }> {
  // Each projector and reactor holds a session of its own (its advisory lock) for as long as it
  // runs, nine of them in `project` now; the API, rebuilds and set-aside retries need some beside.
  const pool = createPool(pgSettings(config), 24);
  let problem: string | undefined;
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  const status: DatabaseStatus = {
    need,
    get problem() {
      return problem;
    },
    assertReady() {
      if (problem !== undefined)
        throw new TarkaError(
          'TARKA_DEPENDENCY_DOWN',
          `Postgres is not available yet: ${problem}`,
          'retry shortly; alerts are still taken, and the read models catch up when Postgres is back',
        );
    },
    stop() {
      stopped = true;
      clearTimeout(timer);
    },
  };
  try {
    await setUpDatabase(pool, config, log);
    return { pool, status };
  } catch (e) {
    if (need === 'required' || !isDependencyDown(e)) {
      await pool.end().catch(() => undefined);
      throw e;
    }
    problem = (e as Error).message;
  }
  log.warn({ problem }, 'Postgres is down: starting without it; the API answers 503 until it is back');
  const retry = (delayMs: number) => {
    timer = setTimeout(() => {
      setUpDatabase(pool, config, log).then(
        () => {
          problem = undefined;
          log.info('Postgres is back: database set up');
        },
        (e: Error) => {
          if (stopped) return;
          if (e.message !== problem) log.warn({ problem: e.message }, 'Postgres still unavailable');
          problem = e.message;
          retry(Math.min(delayMs * 2, 30_000));
        },
      );
    }, delayMs);
    timer.unref();
  };
  retry(1000);
  return { pool, status };
}
