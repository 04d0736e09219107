import type { Config } from '../shared/config.js';
import type { Logger } from '../shared/log.js';
import { JetStreamEventStore } from '../nats/jetstream-event-store.js';
import { connectEventLog } from '../runtime/connections.js';
import { CaseCommandHandler } from '../commands/case/handler.js';
import { analyze } from '../analysis/analyze.js';
import { reanalyze, type ReanalyzeOptions } from '../reanalysis/reanalyze.js';
import { formatSummary } from '../reanalysis/summary.js';

/** `tarka reanalyze`: only the event log is needed (the read models follow from the events). */
export async function runReanalyze(config: Config, log: Logger, options: ReanalyzeOptions): Promise<void> {
  const { nc, jsm } = await connectEventLog(config, log, 'reanalyze');
  const store = new JetStreamEventStore(nc, jsm, {
    stream: config.EVENTS_STREAM,
    subjectPrefix: config.EVENTS_SUBJECT_PREFIX,
  });
  try {
    const result = await reanalyze(
      { store, handler: new CaseCommandHandler(store, { cacheSize: 0 }), analyze },
      options,
    );
    console.log(formatSummary(result));
  } finally {
    await nc.drain().catch(() => undefined);
  }
}
