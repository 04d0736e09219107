import cliProgress from 'cli-progress';
import type { Config } from '../shared/config.js';
import type { Logger } from '../shared/log.js';
import { createContext } from '../runtime/context.js';
import { readModels } from '../projections/read-models.js';
import { replayProjection } from '../projections/replay.js';

/** `tarka replay`: rebuilds each read model blue/green, with a progress bar and a summary. */
export async function runReplay(config: Config, log: Logger): Promise<void> {
  const ctx = await createContext(config, log, 'replay');
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
      const { rows } = await ctx.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${p.name}`);
      console.log(
        `${p.name}: rebuilt generation ${result.generation} from ${result.events} events (${result.messages} messages) in ${result.seconds.toFixed(2)} s ` +
          `(${Math.round(result.eventsPerSecond)} events/s), ${rows[0]!.n} rows; now serving it`,
      );
    }
  } finally {
    bar.stop();
    await ctx.close();
  }
}
