import type { Context } from '../runtime/context.js';
import type { Running } from '../runtime/processes.js';
import type { Logger } from '../shared/log.js';

/** Runs until SIGTERM/SIGINT, then stops what started, in reverse order. */
export async function untilSignal(log: Logger, parts: Running[], ctx?: Context): Promise<void> {
  await new Promise<void>((resolve) => {
    const stop = (sig: string) => {
      log.info({ signal: sig }, 'shutting down');
      resolve();
    };
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
  });
  for (const p of [...parts].reverse())
    await p.stop().catch((e) => log.error({ err: e }, 'error while stopping'));
  await ctx?.close();
}
