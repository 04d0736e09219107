import { connect } from 'nats';
import pg from 'pg';
import { JetStreamEventStore } from '../../../src/nats/jetstream-event-store.js';
import type { Config } from '../../../src/shared/config.js';

/** What the read models hold for one case. */
export interface CaseFacts {
  episodes: number;
  investigations: number;
  completed: number;
}

const db = (config: Config) =>
  new pg.Client({
    host: config.POSTGRES_HOST ?? '127.0.0.1',
    port: config.POSTGRES_PORT,
    user: config.POSTGRES_USER,
    password: config.POSTGRES_PASSWORD,
    database: config.POSTGRES_DB,
  });

/** Rows of the cases and investigations read models (the views `tarka serve` reads) for these cases. */
export async function readModelFacts(config: Config, caseIds: string[]): Promise<Map<string, CaseFacts>> {
  const client = db(config);
  await client.connect();
  try {
    const { rows } = await client.query<{ id: string; episodes: number; n: number; done: number }>(
      `SELECT c.case_id AS id, c.episode_count AS episodes,
              count(i.investigation_id)::int AS n,
              count(*) FILTER (WHERE i.state = 'completed')::int AS done
       FROM cases c LEFT JOIN investigations i ON i.case_id = c.case_id
       WHERE c.case_id = ANY($1)
       GROUP BY c.case_id, c.episode_count`,
      [caseIds],
    );
    return new Map(rows.map((r) => [r.id, { episodes: r.episodes, investigations: r.n, completed: r.done }]));
  } finally {
    await client.end();
  }
}

/** Committed position of each projector's active generation. */
export async function checkpoints(config: Config): Promise<Record<string, number>> {
  const client = db(config);
  await client.connect();
  try {
    const { rows } = await client.query<{ name: string; position: string }>(
      `SELECT c.name, c.position FROM projection_checkpoints c
       JOIN projections p ON p.name = c.name AND p.active_generation = c.generation`,
    );
    return Object.fromEntries(rows.map((r) => [r.name, Number(r.position)]));
  } finally {
    await client.end();
  }
}

/**
 * Polls the read models until every case in `ids` has a row (and, when asked, a completed
 * investigation), or the time is up; returns what it last saw either way, so the caller reports
 * the figures and asserts on them. With `whileProgressMs`, the time is extended as long as more
 * cases keep getting there (a backlog being worked through on a busy machine is not a loss), up to
 * `maxMs`.
 */
export async function waitForReadModels(
  config: Config,
  ids: string[],
  options: { timeoutMs: number; completed?: boolean; whileProgressMs?: number; maxMs?: number },
): Promise<Map<string, CaseFacts>> {
  const start = Date.now();
  let deadline = start + options.timeoutMs;
  let best = 0;
  for (;;) {
    const facts = await readModelFacts(config, ids).catch(() => new Map<string, CaseFacts>());
    const there = ids.filter((id) => {
      const f = facts.get(id);
      return f && (!options.completed || f.completed >= 1);
    }).length;
    if (there === ids.length) return facts;
    if (options.whileProgressMs && there > best) {
      best = there;
      deadline = Math.min(
        Math.max(deadline, Date.now() + options.whileProgressMs),
        start + (options.maxMs ?? options.timeoutMs),
      );
    }
    if (Date.now() > deadline) return facts;
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** Events of each type per case, read from the whole event log (the truth) from sequence 1. */
export async function logCounts(
  natsUrl: string,
  config: Config,
): Promise<Map<string, Record<string, number>>> {
  const nc = await connect({ servers: natsUrl.split(',') });
  try {
    const store = new JetStreamEventStore(nc, await nc.jetstreamManager(), {
      stream: config.EVENTS_STREAM,
      subjectPrefix: config.EVENTS_SUBJECT_PREFIX,
    });
    const head = await store.headSeq();
    const counts = new Map<string, Record<string, number>>();
    if (head === 0) return counts;
    let reached!: () => void;
    const atHead = new Promise<void>((r) => (reached = r));
    const sub = store.subscribe({
      fromSeq: 1,
      onBatch: async (events) => {
        for (const e of events) {
          if (!e.aggregate.startsWith('case.')) continue;
          const id = e.aggregate.slice('case.'.length);
          const c = counts.get(id) ?? {};
          c[e.type] = (c[e.type] ?? 0) + 1;
          counts.set(id, c);
        }
        if (events[events.length - 1]!.seq >= head) reached();
      },
    });
    await Promise.race([atHead, sub.done]);
    await sub.stop();
    return counts;
  } finally {
    await nc.close();
  }
}

export interface Tally {
  inReadModels: number;
  lost: string[];
  /** Cases with anything twice: an episode, an investigation row, or an event that must be unique. */
  duplicated: string[];
  /** Acknowledged cases whose investigation has not completed (when completion was expected). */
  incomplete: string[];
}

/** Compares what was acknowledged with the read models and the log. */
export function tally(
  acked: Iterable<string>,
  sent: Iterable<string>,
  facts: Map<string, CaseFacts>,
  log: Map<string, Record<string, number>> | null,
  options: { completed: boolean },
): Tally {
  const ackedIds = [...acked];
  const t: Tally = { inReadModels: 0, lost: [], duplicated: [], incomplete: [] };
  for (const id of ackedIds) {
    const f = facts.get(id);
    if (f) t.inReadModels++;
    else t.lost.push(id);
    if (options.completed && f && f.completed < 1) t.incomplete.push(id);
  }
  const once = ['AlertFired', 'InvestigationRequested', 'InvestigationCompleted'];
  for (const id of sent) {
    const f = facts.get(id);
    const l = log?.get(id) ?? {};
    if ((f && (f.episodes > 1 || f.investigations > 1)) || once.some((type) => (l[type] ?? 0) > 1))
      t.duplicated.push(id);
  }
  return t;
}
