import type { Context } from '../runtime/context.js';
import type { Running } from '../runtime/processes.js';
import type { Logger } from '../shared/log.js';

/** Runs until SIGTERM, SIGINT or SIGHUP, then stops what started, in reverse order. */
export async function untilSignal(log: Logger, parts: Running[], ctx?: Context): Promise<void> {
  await new Promise<void>((resolve) => {
    const stop = (sig: string) => {
      log.info({ signal: sig }, 'shutting down');
      resolve();
    };
    // SIGHUP too: closing the terminal of a `tarka up` should stop it as cleanly as Ctrl-C.
    for (const sig of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) process.once(sig, () => stop(sig));
  });
  for (const p of [...parts].reverse())
    await p.stop().catch((e) => log.error({ err: e }, 'error while stopping'));
  await ctx?.close();
}
