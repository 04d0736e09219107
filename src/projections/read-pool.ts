import { createPool, type DatabasePool, type DriverFactory, type Driver } from 'slonik';
import { createPgDriverFactory } from '@slonik/pg-driver';
import { pgUrl, type PgSettings } from './db.js';

/**
 * Slonik pool for the read side. Times come back as ISO strings, as the API serves them.
 * A Postgres that is down or not answering fails a query after one connection timeout (no retry:
 * the API answers 503 and its client retries), and `whenReady` can hold connections back until
 * the database is set up. The pool can be created while Postgres is down.
 */
export async function createReadPool(
  s: PgSettings,
  options: { whenReady?: () => void } = {},
): Promise<DatabasePool> {
  const iso = (v: string) => new Date(v).toISOString();
  return createPool(pgUrl(s), {
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
