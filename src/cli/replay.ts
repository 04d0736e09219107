import pg from 'pg';
import cliProgress from 'cli-progress';
import type { Config } from '../shared/config.js';
import type { Logger } from '../shared/log.js';
import { TarkaError } from '../shared/errors.js';
import { JetStreamEventStore } from '../nats/jetstream-event-store.js';
import { natsSettings } from '../nats/nats-options.js';
import { connectDatabase, connectEventLog } from '../runtime/connections.js';
import { readModels } from '../projections/registry.js';
import { replayProjection } from '../projections/engine/replay.js';
import { sharedReading } from '../projections/engine/shared-read.js';

/** `tarka replay`: rebuilds every read model blue/green, with progress bars and a summary. */
export async function runReplay(config: Config, log: Logger, only: string[] = []): Promise<void> {
  const unknown = only.filter((n) => !readModels.some((p) => p.name === n));
  if (unknown.length)
    throw new TarkaError(
      'TARKA_BAD_REQUEST',
      `no read model named ${unknown.join(', ')}`,
      `use one of: ${readModels.map((p) => p.name).join(', ')}`,
    );
  const chosen = only.length ? readModels.filter((p) => only.includes(p.name)) : readModels;
  // Only the log and the database: a batch job needs no API pool, metrics or command handler.
  const { nc, jsm } = await connectEventLog(config, log, 'replay');
  const store = new JetStreamEventStore(nc, jsm, {
    stream: config.EVENTS_STREAM,
    subjectPrefix: config.EVENTS_SUBJECT_PREFIX,
    // Reading and decoding on a second thread while this one writes Postgres.
    readerThread: natsSettings(config),
  });
  // Every read model is rebuilt at once, each holding two sessions (its switch and its loader).
  const pool = await connectDatabase(config, log, chosen.length * 2 + 2);
  const ctx = { store, pool, log };
  // One read of the log feeds every rebuild (reading and decoding it once per read model was most
  // of the time); each read model still loads, indexes and switches on its own.
  const source = sharedReading(store, chosen.length);
  const bars = new cliProgress.MultiBar(
    {
      format: ' {name} |{bar}| {value}/{total} messages | {rate} msg/s',
      stream: process.stderr,
      hideCursor: true,
    },
    cliProgress.Presets.shades_classic,
  );
  const t0 = performance.now();
  try {
    const results = await Promise.all(
      chosen.map(async (p) => {
        let bar: cliProgress.SingleBar | undefined;
        const result = await replayProjection(
          ctx,
          p,
          ({ name, position, target }) => {
            const rate = Math.round(position / Math.max(0.001, (performance.now() - t0) / 1000));
            bar ??= bars.create(Math.max(target, 1), position, { name, rate });
            bar.setTotal(Math.max(target, 1));
            bar.update(position, { name, rate });
          },
          source,
        );
        bar?.stop();
        return { p, result };
      }),
    );
    bars.stop();
    for (const { p, result } of results) {
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
    bars.stop();
    await nc.drain().catch(() => undefined);
    await pool.end().catch(() => undefined);
  }
}
