import { EventEmitter } from 'node:events';
import { VersionConflict } from '../shared/errors.js';
import type { NewEvent, Recorded } from './envelope.js';
import { decodeCommit, encodeCommit, toEnvelopes } from './codec.js';
import type {
  AggregateStream,
  AppendOptions,
  AppendResult,
  EventStore,
  SubscribeOptions,
  Subscription,
} from './event-store.js';

/** The event log in process memory, with the same semantics as the JetStream adapter. */
export class MemoryEventStore implements EventStore {
  private readonly log: { aggregate: string; bytes: Uint8Array; commandId: string }[] = [];
  private readonly lastByAggregate = new Map<string, number>();
  private readonly seqByCommand = new Map<string, number>();
  private readonly appended = new EventEmitter().setMaxListeners(0);

  async append(aggregate: string, events: NewEvent[], options: AppendOptions): Promise<AppendResult> {
    const envelopes = toEnvelopes(aggregate, events, options);
    // Same order as JetStream: the duplicate check comes before the expectation check.
    const dup = this.seqByCommand.get(options.commandId);
    if (dup !== undefined) return { seq: dup, duplicate: true, events: this.decode(dup) };
    const current = this.lastByAggregate.get(aggregate) ?? 0;
    if (current !== options.expectedVersion)
      throw new VersionConflict(aggregate, options.expectedVersion, current);
    const bytes = encodeCommit(envelopes);
    this.log.push({ aggregate, bytes, commandId: options.commandId });
    const seq = this.log.length;
    this.lastByAggregate.set(aggregate, seq);
    this.seqByCommand.set(options.commandId, seq);
    queueMicrotask(() => this.appended.emit('append'));
    return { seq, duplicate: false, events: this.decode(seq) };
  }

  async readAggregate(aggregate: string): Promise<AggregateStream> {
    const events: Recorded[] = [];
    this.log.forEach((m, i) => {
      if (m.aggregate === aggregate) events.push(...this.decode(i + 1));
    });
    return { version: this.lastByAggregate.get(aggregate) ?? 0, events };
  }

  async headSeq(): Promise<number> {
    return this.log.length;
  }

  subscribe({ fromSeq, batchSize = 1000, onBatch }: SubscribeOptions): Subscription {
    let next = Math.max(1, fromSeq);
    let stopped = false;
    let wake: (() => void) | undefined;
    const onAppend = () => wake?.();
    this.appended.on('append', onAppend);
    const done = (async () => {
      try {
        while (!stopped) {
          if (next > this.log.length) {
            await new Promise<void>((r) => (wake = r));
            continue;
          }
          const batch: Recorded[] = [];
          while (next <= this.log.length && batch.length < batchSize) batch.push(...this.decode(next++));
          await onBatch(batch);
        }
      } finally {
        this.appended.off('append', onAppend);
      }
    })();
    return {
      done,
      stop: async () => {
        stopped = true;
        wake?.();
        await done.catch(() => undefined);
      },
    };
  }

  async close(): Promise<void> {}

  private decode(seq: number): Recorded[] {
    return decodeCommit(this.log[seq - 1]!.bytes, seq);
  }
}
