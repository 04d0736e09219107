import { checkout } from '../../db/postgres.js';
import { EventEmitter } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import type pg from 'pg';
import type { EventStore, Subscription } from '../../events/event-store.js';
import type { Recorded } from '../../events/envelope.js';
import type { Logger } from '../../shared/log.js';
import { StoreUnavailable } from '../../shared/errors.js';
import type { Counter } from 'prom-client';
import { activeGeneration, checkpoint } from './generations.js';
import { isReactor, physicalTables, type Projector } from './projection.js';
import { applyIsolating, reactIsolating } from './isolate.js';
import { describeError, recordSetAside, UNREADABLE, type SetAside } from './set-aside.js';
import { tarkaVersion } from '../../shared/version.js';
import { retrySetAside } from './set-aside-retry.js';

export const PROJECTION_CHANNEL = 'tarka_projection';

export interface RunnerOptions {
  /** Build this generation instead of following the active one (used by replay). */
  generation?: number;
  batchSize?: number;
}

class GenerationSwitched extends Error {}
class CheckpointMoved extends Error {}

export interface RunnerDeps {
  pool: pg.Pool;
  store: EventStore;
  log: Logger;
  /** Counts set-aside events when given (the process's /metrics, src/http/metrics.ts). */
  metrics?: { projectorSetAside: Pick<Counter<'projector'>, 'inc'> };
}

/**
 * Runs one projection: holds its advisory lock (one active instance), reads the log from the
 * checkpoint, and commits each batch's rows together with the new checkpoint. An outage restarts
 * the session from the committed checkpoint after a backoff; nothing is applied twice. A message
 * the projection cannot apply (or decode) is set aside (see set-aside.ts) and the rest commits.
 */
export class ProjectorRunner extends EventEmitter {
  position = 0;
  /** Events applied by this runner since it started. */
  eventsApplied = 0;
  /** Messages this runner set aside since it started. */
  setAside = 0;
  generation = 0;
  private stopped = false;
  private sub: Subscription | undefined;
  private loop: Promise<void> | undefined;
  private wake: (() => void) | undefined;

  constructor(
    private readonly deps: RunnerDeps,
    readonly projection: Projector,
    private readonly opts: RunnerOptions = {},
  ) {
    super();
    this.setMaxListeners(0);
  }

  start(): this {
    this.loop ??= this.run();
    return this;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    await this.sub?.stop();
    await this.loop;
  }

  /** Resolves once everything up to seq is committed. */
  async waitFor(seq: number, timeoutMs = 30_000): Promise<void> {
    if (this.position >= seq) return;
    await new Promise<void>((resolve, reject) => {
      const t = setTimeout(() => {
        this.off('committed', check);
        reject(
          new Error(
            `${this.projection.name} did not reach ${seq} within ${timeoutMs} ms (at ${this.position})`,
          ),
        );
      }, timeoutMs);
      const check = () => {
        if (this.position >= seq) {
          clearTimeout(t);
          this.off('committed', check);
          resolve();
        }
      };
      this.on('committed', check);
    });
  }

  private async run(): Promise<void> {
    const { log } = this.deps;
    const name = this.projection.name;
    let backoff = 250;
    while (!this.stopped) {
      let client: pg.PoolClient | undefined;
      try {
        client = await checkout(this.deps.pool);
        const lockKey = `tarka.projector.${name}${this.opts.generation ? `.g${this.opts.generation}` : ''}`;
        const { rows } = await client.query<{ ok: boolean }>(
          'SELECT pg_try_advisory_lock(hashtext($1)) AS ok',
          [lockKey],
        );
        if (!rows[0]!.ok) {
          log.debug({ projector: name }, 'another instance holds the projector lock; standing by');
          client.release();
          client = undefined;
          await this.pause(2000);
          continue;
        }
        await this.session(client);
        backoff = 250;
      } catch (e) {
        if (this.stopped) break;
        if (e instanceof GenerationSwitched) {
          log.info({ projector: name }, 'read model switched to a rebuilt generation; following it');
          continue;
        }
        // A dependency hiccup is routine (the reader restarts); anything else deserves attention.
        const level = e instanceof StoreUnavailable ? 'warn' : 'error';
        log[level]({ projector: name, err: e }, 'projector stopped; restarting from its checkpoint');
        await this.pause(backoff);
        backoff = Math.min(backoff * 2, 10_000);
      } finally {
        // Releasing the connection with the lock held would leak it to the pool: drop it instead.
        client?.release(true);
      }
    }
  }

  private async session(client: pg.PoolClient): Promise<void> {
    const p = this.projection;
    const generation = this.opts.generation ?? (await activeGeneration(client, p)).generation;
    const tables = physicalTables(p, generation);
    this.generation = generation;
    const following = this.opts.generation === undefined;
    if (following) await this.retryAfterUpgrade(generation);
    this.position = await checkpoint(client, p.name, generation);
    this.emit('committed');

    let failure: unknown;
    // One batch commits while the reader fetches and decodes the next: Postgres and the event
    // stream work at the same time. Never more than one commit in flight, so order holds.
    let inflight: Promise<void> = Promise.resolve();
    const commit = async (events: Recorded[], unreadable?: SetAside) => {
      const to = unreadable?.seq ?? events[events.length - 1]!.seq;
      // A reactor's effect happens first, outside any transaction, and before the checkpoint moves.
      const setAside = isReactor(p) ? await reactIsolating(p, events) : [];
      if (unreadable) setAside.push(unreadable);
      const aside = new Set(setAside.map((s) => s.seq));
      const rest = aside.size > 0 ? events.filter((e) => !aside.has(e.seq)) : events;
      await client.query('BEGIN');
      try {
        if (following) {
          const { rows } = await client.query<{ g: number }>(
            'SELECT active_generation AS g FROM projections WHERE name = $1 FOR SHARE',
            [p.name],
          );
          if (rows[0]?.g !== generation) throw new GenerationSwitched();
        }
        // The checkpoint row first: its lock orders this batch with a `tarka parked retry`.
        const moved = await client.query(
          `UPDATE projection_checkpoints SET position = $4, updated_at = now()
           WHERE name = $1 AND generation = $2 AND position = $3`,
          [p.name, generation, this.position, to],
        );
        if (moved.rowCount !== 1) throw new CheckpointMoved(`checkpoint of ${p.name} moved under us`);
        if (!isReactor(p)) setAside.push(...(await applyIsolating(client, p, rest, tables)));
        await recordSetAside(client, p.name, generation, p.definitionVersion, setAside);
        await client.query('SELECT pg_notify($1, $2)', [
          PROJECTION_CHANNEL,
          JSON.stringify({ name: p.name, position: to }),
        ]);
        await client.query('COMMIT');
      } catch (e) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw e;
      }
      this.position = to;
      const skipped = new Set(setAside.map((s) => s.seq));
      this.eventsApplied +=
        skipped.size > 0 ? events.filter((e) => !skipped.has(e.seq)).length : events.length;
      this.reportSetAside(generation, setAside);
      this.emit('committed');
    };
    // Queued like a batch: same order, same single commit in flight.
    const enqueue = async (events: Recorded[], unreadable?: SetAside) => {
      await inflight;
      if (failure) throw failure;
      // A failed commit is kept, never left as a rejected promise: it stops the reading and
      // surfaces below, once the subscription has ended.
      inflight = commit(events, unreadable).catch((e: unknown) => {
        failure ??= e;
        void this.sub?.stop();
      });
    };
    this.sub = this.deps.store.subscribe({
      fromSeq: this.position + 1,
      batchSize: this.opts.batchSize ?? 1000,
      onBatch: async (all) => {
        await inflight;
        const events = all.filter((e) => e.seq > this.position);
        if (events.length > 0) await enqueue(events);
        else if (failure) throw failure;
      },
      // A message nobody can decode (corrupt, or written by a newer Tarka) is set aside too.
      onUnreadable: async (seq, error) => {
        await inflight;
        if (seq <= this.position) return;
        await enqueue([], { seq, index: null, type: UNREADABLE, aggregate: null, ...describeError(error) });
      },
    });
    if (this.stopped) await this.sub.stop();
    await this.sub.done;
    await inflight;
    if (failure) throw failure;
  }

  /** Logs (never the payload) and counts what a commit set aside. */
  private reportSetAside(generation: number, setAside: SetAside[]): void {
    const projector = this.projection.name;
    for (const s of setAside) {
      this.deps.log.error(
        { projector, generation, seq: s.seq, index: s.index, type: s.type, error: s.error, code: s.code },
        'event set aside: the projector cannot apply it and moved past it (see `tarka parked list`)',
      );
      this.deps.metrics?.projectorSetAside.inc({ projector });
    }
    this.setAside += setAside.length;
    if (setAside.length > 0) this.emit('setAside', setAside);
  }

  /** Retries what an older Tarka or read-model definition set aside: an upgrade may have fixed it. */
  private async retryAfterUpgrade(generation: number): Promise<void> {
    const p = this.projection;
    const result = await retrySetAside(this.deps, p, generation, {
      olderThan: { tarkaVersion, definitionVersion: p.definitionVersion },
    });
    if (result.fixed.length + result.failing.length === 0) return;
    this.deps.log.warn(
      {
        projector: p.name,
        generation,
        applied: result.fixed.map((r) => r.seq),
        stillFailing: result.failing.map((r) => r.seq),
      },
      'retried events set aside by an older Tarka version or read-model definition',
    );
  }

  private async pause(ms: number): Promise<void> {
    await Promise.race([sleep(ms), new Promise<void>((r) => (this.wake = r))]);
  }
}
