import { randomUUID } from 'node:crypto';
import {
  AckPolicy,
  DeliverPolicy,
  headers,
  type StoredMsg,
  type JetStreamClient,
  type JetStreamManager,
  type NatsConnection,
} from 'nats';
import { StoreUnavailable, TarkaError, VersionConflict } from '../shared/errors.js';
import type { Recorded, NewEvent } from './envelope.js';
import { decodeCommit, encodeCommit, toEnvelopes } from './codec.js';
import { batched } from './batches.js';
import type {
  AggregateStream,
  AppendOptions,
  AppendResult,
  EventStore,
  SubscribeOptions,
  Subscription,
} from './event-store.js';

// Present on the 2.x manager at run time, missing from its exported types.
interface DirectStreamAPI {
  getMessage(
    stream: string,
    query: { seq?: number; last_by_subj?: string; next_by_subj?: string },
  ): Promise<StoredMsg>;
}

const WRONG_LAST_SEQUENCE = 10071;

interface NatsLikeError {
  code?: string;
  message: string;
  api_error?: { err_code?: number; code?: number; description?: string };
}

export interface JetStreamEventStoreOptions {
  stream: string;
  subjectPrefix: string;
  /** How long an append may wait for the server's ack before we report "unavailable". */
  publishTimeoutMs?: number;
  /** When it says false, appends fail at once rather than queue behind a dead connection. */
  connected?: () => boolean;
}

/** EventStore on one JetStream stream, one subject per aggregate, version = stream sequence. */
export class JetStreamEventStore implements EventStore {
  private readonly js: JetStreamClient;
  // Present on the 2.x manager at run time, missing from its public interface.
  private readonly direct: DirectStreamAPI;

  constructor(
    private readonly nc: NatsConnection,
    private readonly jsm: JetStreamManager,
    private readonly opts: JetStreamEventStoreOptions,
  ) {
    this.js = nc.jetstream();
    this.direct = (jsm as JetStreamManager & { direct: DirectStreamAPI }).direct;
  }

  subjectOf(aggregate: string): string {
    if (!/^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/.test(aggregate)) {
      throw new TarkaError(
        'TARKA_BAD_REQUEST',
        `aggregate id ${JSON.stringify(aggregate)} is not subject-safe`,
      );
    }
    return `${this.opts.subjectPrefix}.${aggregate}`;
  }

  async append(aggregate: string, events: NewEvent[], options: AppendOptions): Promise<AppendResult> {
    if (this.opts.connected && !this.opts.connected()) {
      throw new StoreUnavailable(`append to ${aggregate} refused: not connected to NATS`);
    }
    const envelopes = toEnvelopes(aggregate, events, options);
    const h = headers();
    h.set('Tarka-Event-Types', envelopes.map((e) => `${e.type}@${e.schema}`).join(','));
    let ack;
    try {
      ack = await this.js.publish(this.subjectOf(aggregate), encodeCommit(envelopes), {
        msgID: options.commandId,
        expect: { lastSubjectSequence: options.expectedVersion, streamName: this.opts.stream },
        headers: h,
        timeout: this.opts.publishTimeoutMs ?? 5000,
      });
    } catch (e) {
      const err = e as NatsLikeError;
      if (err.api_error?.err_code === WRONG_LAST_SEQUENCE) {
        const actual = /wrong last sequence: (\d+)/.exec(err.message)?.[1];
        throw new VersionConflict(aggregate, options.expectedVersion, actual ? Number(actual) : undefined);
      }
      if (err.api_error)
        throw new TarkaError(
          'TARKA_ES_UNAVAILABLE',
          `JetStream refused the append: ${err.message}`,
          'check the stream configuration',
          { cause: e },
        );
      throw new StoreUnavailable(`append to ${aggregate} failed: ${err.message}`, { cause: e });
    }
    if (ack.duplicate) {
      // The command was stored before: report the original commit, not what we just built.
      const stored = await this.getBySeq(ack.seq);
      return { seq: ack.seq, duplicate: true, events: stored };
    }
    return {
      seq: ack.seq,
      duplicate: false,
      events: envelopes.map((env, index) => ({ ...env, seq: ack.seq, index }) as Recorded),
    };
  }

  async readAggregate(aggregate: string): Promise<AggregateStream> {
    const subject = this.subjectOf(aggregate);
    const events: Recorded[] = [];
    let last: number;
    try {
      last = (await this.direct.getMessage(this.opts.stream, { last_by_subj: subject })).seq;
    } catch (e) {
      if ((e as NatsLikeError).code === '404') return { version: 0, events };
      throw this.unavailable(e, `read ${aggregate}`);
    }
    // Direct Get walks the aggregate's own messages; no consumer is left behind on the server.
    let seq = 1;
    for (;;) {
      let m;
      try {
        m = await this.direct.getMessage(this.opts.stream, { next_by_subj: subject, seq });
      } catch (e) {
        throw this.unavailable(e, `read ${aggregate}`);
      }
      events.push(...decodeCommit(m.data, m.seq));
      if (m.seq >= last) break;
      seq = m.seq + 1;
    }
    return { version: last, events };
  }

  async headSeq(): Promise<number> {
    try {
      return (await this.jsm.streams.info(this.opts.stream)).state.last_seq;
    } catch (e) {
      throw this.unavailable(e, 'read stream state');
    }
  }

  subscribe({ fromSeq, batchSize = 1000, onBatch }: SubscribeOptions): Subscription {
    let stopped = false;
    let messages: { stop(): void } | undefined;
    const name = `tarka-read-${randomUUID()}`;
    const done = (async () => {
      // An ephemeral pull consumer over the whole stream, without acks: no filter (filtered
      // consumers crawl on streams with many subjects) and one fetch at a time, so a slow reader
      // never buffers more than a batch. (An ordered consumer's consume() buffers without bound,
      // and its fetch() dropped queued messages when it reset under a slow reader.)
      await this.jsm.consumers.add(this.opts.stream, {
        name,
        ack_policy: AckPolicy.None,
        deliver_policy: DeliverPolicy.StartSequence,
        opt_start_seq: Math.max(1, fromSeq),
        inactive_threshold: 60 * 1_000_000_000,
        mem_storage: true,
        num_replicas: 1,
      });
      const consumer = await this.js.consumers.get(this.opts.stream, name);
      let expected = Math.max(1, fromSeq);
      try {
        while (!stopped) {
          const iter = await consumer.fetch({ max_messages: batchSize, expires: 2000 });
          messages = iter;
          if (stopped) iter.stop();
          let received = 0;
          for await (const batch of batched(iter[Symbol.asyncIterator](), batchSize)) {
            if (stopped) break;
            const events: Recorded[] = [];
            for (const m of batch) {
              // The log denies deletes and purges, so sequences are contiguous: a hole means a
              // lost delivery, and the reader must start again from its checkpoint.
              if (m.seq !== expected)
                throw new StoreUnavailable(`event stream read skipped from ${expected} to ${m.seq}`);
              expected = m.seq + 1;
              events.push(...decodeCommit(m.data, m.seq));
            }
            received += batch.length;
            await onBatch(events);
          }
          // A message the server handed to a pull request just as it expired never reaches us.
          // When a fetch ends short, ask the server how far it delivered, so such a loss is
          // found now rather than when the next event happens to arrive.
          if (!stopped && received < batchSize) {
            const delivered = (await consumer.info(false)).delivered.stream_seq;
            if (delivered >= expected)
              throw new StoreUnavailable(`event stream read lost ${expected}..${delivered}; re-reading`);
          }
        }
      } finally {
        await this.jsm.consumers.delete(this.opts.stream, name).catch(() => undefined);
      }
    })();
    return {
      done,
      stop: async () => {
        stopped = true;
        messages?.stop();
        await done.catch(() => undefined);
      },
    };
  }

  async close(): Promise<void> {}

  private async getBySeq(seq: number): Promise<Recorded[]> {
    const m = await this.direct.getMessage(this.opts.stream, { seq });
    return decodeCommit(m.data, m.seq);
  }

  private unavailable(e: unknown, what: string): Error {
    if (e instanceof TarkaError) return e;
    return new StoreUnavailable(`${what} failed: ${(e as Error).message}`, { cause: e });
  }
}
