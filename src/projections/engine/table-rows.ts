import pg from 'pg';

// How the read models write rows: a batch travels as one json document (native JSON.stringify
// is cheap, and json parses in Postgres as fast as arrays), read back as a typed record set.

// JSON.stringify writes NUL and unpaired surrogates as \u escapes, which json accepts but text
// and jsonb refuse (22P05). Events already in the log may hold them (old ingest kept them), so
// rows get U+FFFD instead: the case still shows, and a replay writes the same rows.
const UNSTORABLE = /(\\+)u(0000|d[89a-f][0-9a-f]{2})/gi;

/** A JSON text whose strings Postgres can store: NUL and lone surrogates become U+FFFD. */
export function storableJson(json: string): string {
  // An even run of backslashes is escaped backslashes followed by plain text, not an escape.
  return json.replace(UNSTORABLE, (m, slashes: string) => (slashes.length % 2 === 1 ? `${slashes}ufffd` : m));
}

/** Column name → SQL type, in table order. */
export type Columns = Record<string, string>;

/** DDL of a table with these columns, keyed by `key` when given. */
export const createTable = (columns: Columns, key?: string) => (table: string) => `
  CREATE TABLE ${pg.escapeIdentifier(table)} (
    ${Object.entries(columns)
      .map(([c, type]) => `${c} ${type}${c === key ? ' PRIMARY KEY' : ''}`)
      .join(',\n    ')}
  );`;

const source = (columns: Columns) => {
  const names = Object.keys(columns).join(', ');
  const types = Object.entries(columns)
    .map(([c, type]) => `${c} ${type}`)
    .join(', ');
  return `(${names}) SELECT ${names} FROM json_to_recordset($1::json) AS r(${types})`;
};

/** The stored rows with these keys, `last_seq` as a number (bigint comes back as text). */
export async function readRows<T extends { last_seq: number }>(
  tx: pg.ClientBase,
  table: string,
  key: string,
  ids: readonly string[],
): Promise<T[]> {
  const { rows } = await tx.query<{ r: T }>(
    `SELECT row_to_json(t) AS r FROM ${pg.escapeIdentifier(table)} t WHERE ${key} = ANY($1)`,
    [ids],
  );
  return rows.map(({ r }) => ({ ...r, last_seq: Number(r.last_seq) }));
}

/**
 * Upserts rows that carry `last_seq`, the sequence that last changed them: a row is never replaced
 * by one built from an earlier event, so a replayed batch cannot move it backwards.
 */
export async function upsertForward(
  tx: pg.ClientBase,
  table: string,
  columns: Columns,
  key: string,
  rows: readonly object[],
): Promise<void> {
  if (rows.length === 0) return;
  const t = pg.escapeIdentifier(table);
  const updates = Object.keys(columns)
    .filter((c) => c !== key)
    .map((c) => `${c} = EXCLUDED.${c}`)
    .join(', ');
  await tx.query(
    `INSERT INTO ${t} ${source(columns)}
     ON CONFLICT (${key}) DO UPDATE SET ${updates} WHERE ${t}.last_seq < EXCLUDED.last_seq`,
    [storableJson(JSON.stringify(rows))],
  );
}

/**
 * Inserts rows, skipping any already there. The conflict clause names no key, so a table loaded
 * before its key exists (a rebuild) takes them as a plain insert.
 */
export async function insertNew(
  tx: pg.ClientBase,
  table: string,
  columns: Columns,
  rows: readonly object[],
): Promise<void> {
  if (rows.length === 0) return;
  await tx.query(`INSERT INTO ${pg.escapeIdentifier(table)} ${source(columns)} ON CONFLICT DO NOTHING`, [
    storableJson(JSON.stringify(rows)),
  ]);
}
