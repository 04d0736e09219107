import pg from 'pg';
import cliProgress from 'cli-progress';
import type { Config } from '../shared/config.js';
import type { Logger } from '../shared/log.js';
import { JetStreamEventStore } from '../nats/jetstream-event-store.js';
import { natsSettings } from '../nats/nats-options.js';
import { connectDatabase, connectEventLog } from '../runtime/connections.js';
import { readModels } from '../projections/registry.js';
import { replayProjection } from '../projections/engine/replay.js';

/** `tarka replay`: rebuilds each read model blue/green, with a progress bar and a summary. */
export async function runReplay(config: Config, log: Logger): Promise<void> {
  // Only the log and the database: a batch job needs no API pool, metrics or command handler.
  const { nc, jsm } = await connectEventLog(config, log, 'replay');
  const store = new JetStreamEventStore(nc, jsm, {
    stream: config.EVENTS_STREAM,
    subjectPrefix: config.EVENTS_SUBJECT_PREFIX,
    // Reading and decoding on a second thread while this one writes Postgres.
    readerThread: natsSettings(config),
  });
  const pool = await connectDatabase(config, log);
  const ctx = { store, pool, log };
  const bar = new cliProgress.SingleBar(
    {
      format: ' {name} |{bar}| {value}/{total} messages | {rate} msg/s | eta {eta_formatted}',
      stream: process.stderr,
      hideCursor: true,
    },
    cliProgress.Presets.shades_classic,
  );
  try {
    for (const p of readModels) {
      const t0 = performance.now();
      let started = false;
      const result = await replayProjection(ctx, p, ({ name, position, target }) => {
        const rate = Math.round(position / Math.max(0.001, (performance.now() - t0) / 1000));
        if (!started) {
          bar.start(Math.max(target, 1), position, { name, rate });
          started = true;
        }
        bar.setTotal(Math.max(target, 1));
        bar.update(position, { name, rate });
      });
      if (started) bar.stop();
      // Rows of the read model's main table: the one named after it, else its first.
      const main = p.name in p.tables ? p.name : Object.keys(p.tables)[0]!;
      const { rows } = await ctx.pool.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM ${pg.escapeIdentifier(main)}`,
      );
      console.log(
        `${p.name}: rebuilt generation ${result.generation} from ${result.events} events (${result.messages} messages) in ${result.seconds.toFixed(2)} s ` +
          `(${Math.round(result.eventsPerSecond)} events/s), ${rows[0]!.n} rows; now serving it` +
          (result.setAside > 0 ? `; ${result.setAside} message(s) set aside, see \`tarka parked list\`` : ''),
      );
    }
  } finally {
    bar.stop();
    await nc.drain().catch(() => undefined);
    await pool.end().catch(() => undefined);
  }
}
