import { createPool, type DatabasePool, type DriverFactory, type Driver } from 'slonik';
import { createPgDriverFactory } from '@slonik/pg-driver';
import { pgUrl, type PgSettings } from './postgres.js';
import { TarkaError } from '../shared/errors.js';

/**
 * Slonik pool for the read side. Times come back as ISO strings, as the API serves them.
 * A Postgres that is down or not answering fails a query after one connection timeout (no retry:
 * the API answers 503 and its client retries), and `whenReady` can hold connections back until
 * the database is set up. The pool can be created while Postgres is down.
 */
export async function createReadPool(
  s: PgSettings,
  options: { whenReady?: () => void; deadlineMs?: number } = {},
): Promise<DatabasePool> {
  const iso = (v: string) => new Date(v).toISOString();
  const pool = await createPool(pgUrl(s), {
    maximumPoolSize: 10,
    connectionTimeout: s.connectionTimeoutMillis,
    // slonik would try 3 more times, each up to connectionTimeout, before failing a request.
    connectionRetryLimit: 0,
    driverFactory: lazyPgDriver(options.whenReady),
    typeParsers: [
      // Sequences and counts stay far below 2^53.
      { name: 'int8', parse: Number },
      { name: 'timestamptz', parse: iso },
      { name: 'timestamp', parse: iso },
    ],
  });
  return options.deadlineMs ? withDeadline(pool, options.deadlineMs) : pool;
}

const READS = new Set([
  'any',
  'anyFirst',
  'many',
  'manyFirst',
  'one',
  'oneFirst',
  'maybeOne',
  'maybeOneFirst',
  'exists',
  'query',
  'transaction',
  'connect',
]);

/**
 * A pool whose reads give up after `ms`. A connection timeout does not cover a connection that is
 * already open when Postgres freezes or the network silently drops it: a query on it would wait
 * until TCP gives up, many minutes later. The API answers 503 instead; the stuck query finishes or
 * fails on its own once Postgres or the network is back.
 */
function withDeadline(pool: DatabasePool, ms: number): DatabasePool {
  return new Proxy(pool, {
    get(target, name, receiver) {
      const value: unknown = Reflect.get(target, name, receiver);
      if (typeof value !== 'function' || !READS.has(String(name))) return value;
      return (...args: unknown[]) => {
        let timer: NodeJS.Timeout | undefined;
        const late = new Promise<never>((_, reject) => {
          timer = setTimeout(
            () =>
              reject(
                new TarkaError(
                  'TARKA_DEPENDENCY_DOWN',
                  `Postgres did not answer within ${ms / 1000} s (POSTGRES_READ_TIMEOUT_SECONDS)`,
                  'retry shortly; check that Postgres runs and is reachable (POSTGRES_HOST); alerts are still taken',
                ),
              ),
            ms,
          );
        });
        const work = Promise.resolve((value as (...a: unknown[]) => unknown).apply(target, args));
        return Promise.race([work, late]).finally(() => clearTimeout(timer));
      };
    },
  });
}

/**
 * slonik's pg driver, set up at the first connection instead of at pool creation: its set-up
 * reads type ids from Postgres, which would otherwise stop a process from starting while Postgres
 * is down. A failed set-up is tried again at the next connection.
 */
function lazyPgDriver(whenReady?: () => void): DriverFactory {
  return async (args) => {
    let driver: Promise<Driver> | undefined;
    return {
      createClient: async () => {
        whenReady?.();
        driver ??= createPgDriverFactory()(args).catch((e: unknown) => {
          driver = undefined;
          throw e;
        });
        return (await driver).createClient();
      },
    };
  };
}
