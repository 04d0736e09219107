import type { Config } from '../shared/config.js';
import type { Logger } from '../shared/log.js';
import { JetStreamEventStore } from '../nats/jetstream-event-store.js';
import { connectDatabase, connectEventLog } from '../runtime/connections.js';
import { projectorsOf } from '../runtime/projectors.js';
import { listSetAside, type SetAsideRow } from '../projections/engine/set-aside.js';
import { retrySetAside } from '../projections/engine/set-aside-retry.js';
import { TarkaError } from '../shared/errors.js';

// `tarka parked`: the events projectors set aside because they could not apply them.

export interface ParkedOptions {
  projector?: string | undefined;
  seq?: number | undefined;
}

/** A plain text table, columns padded to their widest cell. */
export function table(head: string[], rows: string[][]): string {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(head), ...rows.map(line)].join('\n');
}

const cut = (s: string, n: number) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);

const listed = (rows: SetAsideRow[]) =>
  table(
    ['PROJECTOR', 'SEQ', 'TYPE', 'ERROR', 'SINCE', 'ATTEMPTS'],
    rows.map((r) => [
      r.projector,
      String(r.seq),
      r.index === null ? r.type : `${r.type} [${r.index}]`,
      cut(r.error, 100),
      r.firstSeen.slice(0, 19).replace('T', ' '),
      String(r.attempts),
    ]),
  );

async function connect(config: Config, log: Logger) {
  const { nc, jsm } = await connectEventLog(config, log, 'parked');
  const store = new JetStreamEventStore(nc, jsm, {
    stream: config.EVENTS_STREAM,
    subjectPrefix: config.EVENTS_SUBJECT_PREFIX,
  });
  const pool = await connectDatabase(config, log);
  return {
    nc,
    store,
    pool,
    close: async () => {
      await nc.drain().catch(() => undefined);
      await pool.end().catch(() => undefined);
    },
  };
}

/** `tarka parked list`: what is set aside in each projector's active generation. */
export async function runParkedList(config: Config, log: Logger, o: ParkedOptions): Promise<void> {
  const c = await connect(config, log);
  try {
    const rows = await listSetAside(c.pool, { projector: o.projector, seq: o.seq });
    console.log(rows.length === 0 ? 'no events set aside' : listed(rows));
  } finally {
    await c.close();
  }
}

/**
 * `tarka parked retry`: re-applies set-aside events (all, or one projector's, or one sequence),
 * removes those that apply and lists what still fails. Exit code 1 when something still fails.
 */
export async function runParkedRetry(config: Config, log: Logger, o: ParkedOptions): Promise<number> {
  const c = await connect(config, log);
  try {
    const projections = projectorsOf(config, c.nc, c.store);
    if (o.projector && !projections.some((p) => p.name === o.projector)) {
      throw new TarkaError(
        'TARKA_BAD_REQUEST',
        `no projector named ${o.projector}`,
        `use one of: ${projections.map((p) => p.name).join(', ')}`,
      );
    }
    let fixed = 0;
    const failing: SetAsideRow[] = [];
    for (const p of projections) {
      if (o.projector && p.name !== o.projector) continue;
      // The active generation's list; a projector with nothing set aside is left alone.
      const listed = await listSetAside(c.pool, { projector: p.name, seq: o.seq });
      if (listed.length === 0) continue;
      const r = await retrySetAside({ pool: c.pool, store: c.store, log }, p, listed[0]!.generation, {
        seq: o.seq,
      });
      for (const row of r.fixed) console.log(`applied: ${p.name} seq ${row.seq} (${row.type})`);
      fixed += r.fixed.length;
      failing.push(...r.failing.map((f) => ({ ...f, error: f.now, attempts: f.attempts + 1 })));
    }
    if (fixed === 0 && failing.length === 0) {
      console.log('no events set aside');
      return 0;
    }
    console.log(`${fixed} applied, ${failing.length} still failing`);
    if (failing.length > 0) console.log(listed(failing));
    return failing.length > 0 ? 1 : 0;
  } finally {
    await c.close();
  }
}
