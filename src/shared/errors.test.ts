import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { errorCatalogue } from './errors.js';

// The README's error table is what users read: it must list every code with its real status.
describe('error catalogue', () => {
  it('matches the README error table, code for code and status for status', () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    const table = readme.slice(readme.indexOf('Errors are JSON'), readme.indexOf('## Operations'));
    const documented = Object.fromEntries(
      [...table.matchAll(/^\| `(TARKA_[A-Z_]+)` +\| ([^|]+?) +\|/gm)].map((m) => [m[1], m[2]]),
    );
    const expected = Object.fromEntries(
      Object.entries(errorCatalogue).map(([code, e]) => [
        code,
        e.status === null ? 'start-up' : String(e.status),
      ]),
    );
    expect(documented).toEqual(expected);
  });
});
