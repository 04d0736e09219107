import pg from 'pg';
import { isReactor, physicalTables, type Projector } from './projection.js';

const ident = pg.escapeIdentifier;

/** Creates the tables of a generation (with their indexes unless told not to) and its checkpoint at 0. */
export async function createGeneration(
  tx: pg.ClientBase,
  p: Projector,
  generation: number,
  options: { indexes: boolean } = { indexes: true },
): Promise<void> {
  // A reactor has no tables: its generation is only a checkpoint.
  const ddl = isReactor(p) ? {} : p.tables;
  for (const [view, table] of Object.entries(physicalTables(p, generation))) {
    await tx.query(`DROP TABLE IF EXISTS ${ident(table)} CASCADE`);
    await tx.query(ddl[view]!(table));
  }
  if (options.indexes) await createIndexes(tx, p, generation);
  await tx.query(
    `INSERT INTO projection_checkpoints (name, generation, position) VALUES ($1, $2, 0)
     ON CONFLICT (name, generation) DO UPDATE SET position = 0, updated_at = now()`,
    [p.name, generation],
  );
}

/** Creates the secondary indexes of a generation's tables. */
export async function createIndexes(tx: pg.ClientBase, p: Projector, generation: number): Promise<void> {
  for (const [view, table] of Object.entries(physicalTables(p, generation))) {
    const ddl = isReactor(p) ? undefined : p.indexes?.[view];
    if (ddl) await tx.query(ddl(table));
  }
}

/** Points the read-model views at a generation (readers only ever see views). */
export async function pointViews(tx: pg.ClientBase, p: Projector, generation: number): Promise<void> {
  for (const [view, table] of Object.entries(physicalTables(p, generation))) {
    await tx.query(`DROP VIEW IF EXISTS ${ident(view)}`);
    await tx.query(`CREATE VIEW ${ident(view)} AS SELECT * FROM ${ident(table)}`);
  }
}

/** The active generation, creating generation 1 on first start. */
export async function activeGeneration(
  client: pg.ClientBase,
  p: Projector,
): Promise<{ generation: number; definitionVersion: number }> {
  const read = () =>
    client.query<{ active_generation: number; definition_version: number }>(
      'SELECT active_generation, definition_version FROM projections WHERE name = $1',
      [p.name],
    );
  let { rows } = await read();
  if (rows.length === 0) {
    await client.query('BEGIN');
    try {
      const ins = await client.query(
        `INSERT INTO projections (name, active_generation, definition_version) VALUES ($1, 1, $2)
         ON CONFLICT (name) DO NOTHING`,
        [p.name, p.definitionVersion],
      );
      if (ins.rowCount) {
        await createGeneration(client, p, 1);
        await pointViews(client, p, 1);
      }
      await client.query('COMMIT');
    } catch (e) {
      await client.query('ROLLBACK');
      throw e;
    }
    ({ rows } = await read());
  }
  return { generation: rows[0]!.active_generation, definitionVersion: rows[0]!.definition_version };
}

export async function checkpoint(client: pg.ClientBase, name: string, generation: number): Promise<number> {
  const { rows } = await client.query<{ position: string }>(
    'SELECT position FROM projection_checkpoints WHERE name = $1 AND generation = $2',
    [name, generation],
  );
  return rows[0] ? Number(rows[0].position) : 0;
}
