import type { NewEvent, Recorded } from './envelope.js';

export interface AppendOptions {
  /** Version the decision was made on: 0 creates the aggregate, otherwise the seq of its last event. */
  expectedVersion: number;
  /** Deterministic id of the command; a retried command is absorbed as a duplicate. */
  commandId: string;
  causationId?: string | null;
  correlationId?: string | null;
}

export interface AppendResult {
  /** Stream sequence of the commit: the aggregate's new version. */
  seq: number;
  /** True when the store had already accepted this command id; nothing new was written. */
  duplicate: boolean;
  events: Recorded[];
}

export interface AggregateStream {
  version: number;
  events: Recorded[];
}

export interface Subscription {
  /** Resolves when the subscription has stopped (after stop() or a fatal error, which it rethrows). */
  readonly done: Promise<void>;
  stop(): Promise<void>;
}

export interface SubscribeOptions {
  /** First stream sequence to deliver. */
  fromSeq: number;
  /** Most events handed to one onBatch call. */
  batchSize?: number;
  /** Called with consecutive events in stream order; the next batch waits for it to resolve. */
  onBatch: (events: Recorded[]) => Promise<void>;
  /**
   * Called, in order, for a message that cannot be decoded (the events before it were handed to
   * onBatch first); reading then goes on after it. Without it such a message ends the
   * subscription with TARKA_EVENT_UNREADABLE.
   */
  onUnreadable?: (seq: number, error: unknown) => Promise<void>;
}

/** Port over the event log. Adapters: JetStream (production) and in-memory (tests, tools). */
export interface EventStore {
  /** Appends the events of one decision atomically, if the aggregate is still at expectedVersion. */
  append(aggregate: string, events: NewEvent[], options: AppendOptions): Promise<AppendResult>;
  /** All events of one aggregate, upcast, and its version (0 if it has none). */
  readAggregate(aggregate: string): Promise<AggregateStream>;
  /** Sequence of the newest message in the log (0 when empty). */
  headSeq(): Promise<number>;
  /** Reads from fromSeq, catches up, then stays live until stopped. */
  subscribe(options: SubscribeOptions): Subscription;
  close(): Promise<void>;
}
