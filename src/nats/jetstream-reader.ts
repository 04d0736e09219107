import { randomBytes } from 'node:crypto';
import { setImmediate } from 'node:timers/promises';
import { AckPolicy, createInbox, DeliverPolicy, type JetStreamManager, type NatsConnection } from 'nats';
import { StoreUnavailable, TarkaError } from '../shared/errors.js';
import type { Subscription } from '../events/event-store.js';

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
  // The server usually ends an expired request with a 408, but not always (seen on 2.9 when
  // deliveries ran up to the expiry): past this, the request is over whatever we heard.
  const deadlineMs = expiresMs + 1000;
  // Short: the name is in the reply subject of every delivery, which the client parses byte by byte.
  const name = `tr${randomBytes(6).toString('hex')}`;
  const marker = `.${name}.`;
  const inbox = createInbox();

  let stopped = false;
  let failure: Error | undefined;
  let buffer: StreamMessage[] = [];
  let expected = Math.max(1, o.fromSeq);
  /** Each request has its own reply subject, so a late status of an earlier one is ignored. */
  let requests = 0;
  let reply = '';
  /** Messages the open request may still deliver (0: no request open), and when it is over. */
  let owed = 0;
  let deadline = 0;
  /** The last request ended before all it asked for came. */
  let endedShort = false;
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
  const ended = () => {
    endedShort = owed > 0;
    owed = 0;
    notify();
  };

  const sub = nc.subscribe(`${inbox}.*`, {
    callback: (err, m) => {
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
        // A late delivery for an earlier request counts against the open one: at worst, the
        // next request goes out a little early.
        if (owed > 0) owed--;
        buffer.push({ seq, data: m.data });
        return notify();
      }
      // No reply subject: a status from the server about one of our requests.
      if (m.subject !== reply) return;
      const code = m.headers?.code ?? 0;
      if (code === 100) return; // heartbeat
      if (code === 404 || code === 408) return ended();
      fail(
        new StoreUnavailable(
          `event stream read refused by the server: ${code} ${m.headers?.description ?? ''}`.trim(),
        ),
      );
    },
  });

  const pull = () => {
    reply = `${inbox}.${++requests}`;
    owed = o.batchSize;
    endedShort = false;
    deadline = performance.now() + deadlineMs;
    nc.publish(
      `$JS.API.CONSUMER.MSG.NEXT.${o.stream}.${name}`,
      JSON.stringify({ batch: o.batchSize, expires: expiresMs * 1_000_000 }),
      { reply },
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
        const left = deadline - performance.now();
        if (left > 0) {
          await until(left);
          continue;
        }
        // Past the deadline. A blocked event loop looks the same until pending input is read.
        await setImmediate();
        if (owed > 0 && buffer.length === 0 && deadline <= performance.now()) ended();
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
