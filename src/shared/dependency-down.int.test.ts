import { describe, expect, it } from 'vitest';
import pg from 'pg';
import { ConnectionError } from 'slonik';
import { PG } from '../../tests/support/env.js';
import { freePort } from '../../tests/support/process.js';
import { downCause, isDependencyDown } from './dependency-down.js';
import { TarkaError } from './errors.js';

const errorOf = async (f: () => Promise<unknown>) => {
  try {
    await f();
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected a failure');
};

describe('dependency down or a bug', () => {
  it('says "down" for errors from a Postgres that is absent or cannot serve (503, retry)', async () => {
    const port = await freePort();
    const refused = await errorOf(() => new pg.Client({ ...PG, port, database: 'postgres' }).connect());
    const noDatabase = await errorOf(async () => {
      const c = new pg.Client({ ...PG, database: 'tarka_never_created_db' });
      await c.connect();
    });
    expect(isDependencyDown(refused)).toBe(true);
    expect(isDependencyDown(noDatabase)).toBe(true);
    // slonik wraps the driver's error; ours wrap slonik's.
    expect(isDependencyDown(new ConnectionError('timeout exceeded', { cause: refused }))).toBe(true);
    expect(isDependencyDown(new Error('query failed', { cause: refused }))).toBe(true);
    expect(isDependencyDown(new Error('timeout exceeded when trying to connect'))).toBe(true);
  });

  it('says "not down" for a failing query, so a bug still answers 500 and is logged', async () => {
    const c = new pg.Client({ ...PG, database: 'postgres' });
    await c.connect();
    try {
      expect(isDependencyDown(await errorOf(() => c.query('SELEC 1')))).toBe(false);
      expect(isDependencyDown(await errorOf(() => c.query('SELECT * FROM no_such_table')))).toBe(false);
    } finally {
      await c.end();
    }
    expect(isDependencyDown(new TypeError("Cannot read properties of undefined (reading 'x')"))).toBe(false);
    expect(isDependencyDown(new TarkaError('TARKA_NOT_FOUND', 'no case'))).toBe(false);
  });

  it('finds our own "down" error inside a wrapper, for its message and hint', () => {
    const ours = new TarkaError('TARKA_DEPENDENCY_DOWN', 'Postgres is not available yet', 'retry shortly');
    expect(downCause(new ConnectionError(ours.message, { cause: ours }))).toBe(ours);
    expect(downCause(new Error('x', { cause: new TarkaError('TARKA_BAD_REQUEST', 'no') }))).toBeUndefined();
  });
});
