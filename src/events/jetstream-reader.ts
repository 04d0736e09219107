import { randomBytes } from 'node:crypto';
import { AckPolicy, createInbox, DeliverPolicy, type JetStreamManager, type NatsConnection } from 'nats';
import { StoreUnavailable, TarkaError } from '../shared/errors.js';
import type { Subscription } from './event-store.js';

export interface StreamMessage {
  seq: number;
  data: Uint8Array;
}

export interface ReadStreamOptions {
  stream: string;
  fromSeq: number;
  /** Messages asked for per pull request; at most twice this many are held in memory. */
  batchSize: number;
  /** Consecutive messages in stream order; reading waits for it to resolve. */
  onMessages: (messages: StreamMessage[]) => Promise<void>;
  /** How long one pull request waits on the server for new messages. */
  expiresMs?: number;
}

/**
 * Reads a stream in order from fromSeq and stays live: an ephemeral pull consumer without acks
 * over the whole stream (filtered consumers crawl on streams with many subjects), driven by raw
 * pull requests answered on our own inbox. Messages are handed over as soon as the previous
 * handover has resolved, so a busy stream yields big batches and a quiet one single messages.
 *
 * Why not the client's consumer helpers: an ordered consume() buffers without bound under a slow
 * reader, its fetch() dropped queued messages when it reset, and their per-message objects and
 * timers cost more CPU than the rest of a rebuild.
 *
 * The log denies deletes, so sequences are contiguous: a hole means a lost delivery and the read
 * fails with StoreUnavailable, for the caller to start again from its checkpoint.
 */
export function readStream(nc: NatsConnection, jsm: JetStreamManager, o: ReadStreamOptions): Subscription {
  const expiresMs = o.expiresMs ?? 2000;
  // An answer to a pull always comes within its expiry; past this, the request was lost.
  const silenceMs = expiresMs + 3000;
  // Short: the name is in the reply subject of every delivery, which the client parses byte by byte.
  const name = `tr${randomBytes(6).toString('hex')}`;
  const marker = `.${name}.`;
  const inbox = createInbox();

  let stopped = false;
  let failure: Error | undefined;
  let buffer: StreamMessage[] = [];
  let expected = Math.max(1, o.fromSeq);
  /** Messages the open pull request may still deliver (0: no request open). */
  let owed = 0;
  /** The open request ended on the server's timeout before all it asked for came. */
  let endedShort = false;
  let lastHeard = performance.now();
  let wake: (() => void) | undefined;
  const notify = () => {
    const w = wake;
    wake = undefined;
    w?.();
  };
  const fail = (e: Error) => {
    failure ??= e;
    notify();
  };

  const sub = nc.subscribe(inbox, {
    callback: (err, m) => {
      lastHeard = performance.now();
      if (err) return fail(new StoreUnavailable(`event stream read failed: ${err.message}`, { cause: err }));
      if (m.reply) {
        const seq = streamSeq(m.reply, marker);
        // Checked as it arrives, so a hole is never handed over.
        if (seq !== expected)
          return fail(
            new StoreUnavailable(
              Number.isNaN(seq)
                ? `event stream read got a delivery it cannot place: ${m.reply}`
                : `event stream read skipped from ${expected} to ${seq}`,
            ),
          );
        expected = seq + 1;
        owed--;
        buffer.push({ seq, data: m.data });
        return notify();
      }
      // No reply subject: a status from the server about our pull request.
      const code = m.headers?.code ?? 0;
      if (code === 100) return; // heartbeat
      if (code === 404 || code === 408) {
        endedShort = owed > 0;
        owed = 0;
        return notify();
      }
      fail(
        new StoreUnavailable(
          `event stream read refused by the server: ${code} ${m.headers?.description ?? ''}`.trim(),
        ),
      );
    },
  });

  const pull = () => {
    owed = o.batchSize;
    endedShort = false;
    lastHeard = performance.now();
    nc.publish(
      `$JS.API.CONSUMER.MSG.NEXT.${o.stream}.${name}`,
      JSON.stringify({ batch: o.batchSize, expires: expiresMs * 1_000_000 }),
      { reply: inbox },
    );
  };

  const until = (ms: number) =>
    new Promise<void>((resolve) => {
      const t = setTimeout(resolve, ms);
      wake = () => {
        clearTimeout(t);
        resolve();
      };
    });

  let handingOver = false;
  const done = (async () => {
    try {
      await jsm.consumers.add(o.stream, {
        name,
        ack_policy: AckPolicy.None,
        deliver_policy: DeliverPolicy.StartSequence,
        opt_start_seq: expected,
        inactive_threshold: 60 * 1_000_000_000,
        mem_storage: true,
        num_replicas: 1,
      });
      while (!stopped) {
        if (failure) throw failure;
        if (owed === 0) {
          // A delivery lost on the way (say, over a reconnect) leaves no hole while nothing follows
          // it: when a request ends short, ask how far the server delivered, so such a loss is
          // found now rather than when the next event happens to arrive.
          if (endedShort) {
            endedShort = false;
            const delivered = (await jsm.consumers.info(o.stream, name)).delivered.stream_seq;
            if (delivered >= expected)
              throw new StoreUnavailable(`event stream read lost ${expected}..${delivered}; re-reading`);
          }
          // The next request goes out before the handover, so reading overlaps the caller's work.
          if (buffer.length < o.batchSize) pull();
        }
        if (buffer.length > 0) {
          const batch = buffer;
          buffer = [];
          handingOver = true;
          await o.onMessages(batch);
          handingOver = false;
          continue;
        }
        const quiet = performance.now() - lastHeard;
        if (quiet >= silenceMs)
          throw new StoreUnavailable(`event stream read got no answer for ${Math.round(quiet)} ms`);
        await until(silenceMs - quiet);
      }
    } catch (e) {
      // The caller's own failures pass through as they are; the server's become "unavailable".
      if (e instanceof TarkaError || handingOver) throw e;
      throw new StoreUnavailable(`event stream read failed: ${(e as Error).message}`, { cause: e });
    } finally {
      sub.unsubscribe();
      await jsm.consumers.delete(o.stream, name).catch(() => undefined);
    }
  })();

  return {
    done,
    stop: async () => {
      stopped = true;
      notify();
      await done.catch(() => undefined);
    },
  };
}

/**
 * The stream sequence from a delivery's reply subject, which has the form
 * $JS.ACK[.<domain>.<account hash>].<stream>.<consumer>.<delivered>.<stream seq>.<consumer seq>...
 * Found after our own consumer's name, without splitting the whole subject.
 */
function streamSeq(reply: string, marker: string): number {
  const at = reply.indexOf(marker);
  if (at < 0 || !reply.startsWith('$JS.ACK.')) return Number.NaN;
  const from = reply.indexOf('.', at + marker.length) + 1;
  const to = reply.indexOf('.', from);
  return from > 0 && to > from ? Number(reply.slice(from, to)) : Number.NaN;
}
