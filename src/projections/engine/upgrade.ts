import { checkout } from '../../db/postgres.js';
import type pg from 'pg';
import type { EventStore } from '../../events/event-store.js';
import type { Logger } from '../../shared/log.js';
import { activeGeneration } from './generations.js';
import type { Projection } from './projection.js';
import { replayProjection } from './replay.js';

/**
 * Rebuilds each read model whose definition changed since its tables were built (a Tarka upgrade
 * that changes a read model), before its projector starts. Under a lock, so replicas starting
 * together rebuild once; the old tables keep serving until the switch.
 */
export async function upgradeReadModels(
  deps: { pool: pg.Pool; store: EventStore; log: Logger },
  projections: Projection[],
): Promise<void> {
  for (const p of projections) {
    const client = await checkout(deps.pool);
    try {
      await client.query('SELECT pg_advisory_lock(hashtext($1))', [`tarka.upgrade.${p.name}`]);
      const { definitionVersion } = await activeGeneration(client, p);
      if (definitionVersion >= p.definitionVersion) continue;
      deps.log.warn(
        { readModel: p.name, from: definitionVersion, to: p.definitionVersion },
        'read model definition changed: rebuilding it from the event log',
      );
      const r = await replayProjection(deps, p);
      deps.log.info({ readModel: p.name, generation: r.generation, events: r.events }, 'read model rebuilt');
    } finally {
      await client
        .query('SELECT pg_advisory_unlock(hashtext($1))', [`tarka.upgrade.${p.name}`])
        .catch(() => undefined);
      client.release();
    }
  }
}
