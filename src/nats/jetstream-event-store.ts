import { setImmediate } from 'node:timers/promises';
import {
  headers,
  type StoredMsg,
  type JetStreamClient,
  type JetStreamManager,
  type NatsConnection,
} from 'nats';
import { StoreUnavailable, TarkaError, VersionConflict } from '../shared/errors.js';
import type { Recorded, NewEvent } from '../events/envelope.js';
import { decodeCommit, encodeCommit, toEnvelopes } from '../events/codec.js';
import { readStream, type StreamMessage } from './jetstream-reader.js';
import { readInThread } from './read-in-thread.js';
import type {
  AggregateStream,
  AppendOptions,
  AppendResult,
  EventStore,
  SubscribeOptions,
  Subscription,
} from '../events/event-store.js';

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
  /**
   * Read subscriptions on a worker thread with its own connection to these servers. For batch
   * jobs (a rebuild reads the whole log): it uses a second core, at the cost of a thread's memory.
   */
  readerThread?: { servers: string[] };
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

  subscribe({ fromSeq, batchSize = 1000, onBatch, onUnreadable }: SubscribeOptions): Subscription {
    const read = { stream: this.opts.stream, fromSeq, batchSize };
    const onMessages = async (messages: StreamMessage[]) => {
      let events: Recorded[] = [];
      for (let i = 0; i < messages.length; i++) {
        const m = messages[i]!;
        try {
          for (const e of decodeCommit(m.data, m.seq)) events.push(e);
        } catch (e) {
          // What precedes an unreadable message is delivered first, so order holds; without a
          // handler for it the subscription ends right before it.
          if (events.length > 0) await onBatch(events);
          events = [];
          if (!onUnreadable) throw e;
          await onUnreadable(m.seq, e);
        }
        // Decoding a big batch in one go would hold up the caller's database round trips.
        if (i % 500 === 499) await setImmediate();
      }
      if (events.length > 0) await onBatch(events);
    };
    return this.opts.readerThread
      ? readInThread({ ...read, ...this.opts.readerThread, onMessages })
      : readStream(this.nc, this.jsm, { ...read, onMessages });
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
