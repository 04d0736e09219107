import { createPool, type DatabasePool } from 'slonik';
import { pgUrl, type PgSettings } from './db.js';

/** Slonik pool for the read side. Times come back as ISO strings, as the API serves them. */
export async function createReadPool(s: PgSettings): Promise<DatabasePool> {
  const iso = (v: string) => new Date(v).toISOString();
  return createPool(pgUrl(s), {
    maximumPoolSize: 10,
    connectionTimeout: 5000,
    typeParsers: [
      // Sequences and counts stay far below 2^53.
      { name: 'int8', parse: Number },
      { name: 'timestamptz', parse: iso },
      { name: 'timestamp', parse: iso },
    ],
  });
}
