import {
  AckPolicy,
  DeliverPolicy,
  DiscardPolicy,
  RetentionPolicy,
  StorageType,
  type Consumer,
  type JetStreamManager,
} from 'nats';
import { z } from 'zod';

// A worker that dies (killed, out of memory) during every delivery of a job never reaches its own
// "last failed delivery" code: JetStream stops redelivering and says so only in a max-deliveries
// advisory, a plain NATS message that is lost when nobody listens at that instant. So the advisories
// of the job consumer are captured in a small stream of their own and read by a durable consumer
// that all workers share: one worker handles each, and one started later still finds it.

export const maxDeliveriesSubject = (stream: string, durable: string) =>
  `$JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES.${stream}.${durable}`;
export const maxDeliveriesStream = (stream: string) => `${stream}_MAX_DELIVERIES`;
export const maxDeliveriesDurable = (durable: string) => `${durable}_MAX_DELIVERIES`;

export const maxDeliveriesAdvisory = z.object({
  stream: z.string(),
  consumer: z.string(),
  stream_seq: z.number().int().positive(),
  deliveries: z.number().int().nonnegative(),
});
export type MaxDeliveriesAdvisory = z.infer<typeof maxDeliveriesAdvisory>;

/**
 * Creates the advisory stream and its consumer. Bounded: one advisory per dead job; kept a week at
 * most, since a worker handles it within seconds of starting.
 */
export async function ensureMaxDeliveries(
  jsm: JetStreamManager,
  opts: { stream: string; durable: string; replicas: number; ackWaitSeconds: number },
): Promise<void> {
  const name = maxDeliveriesStream(opts.stream);
  await jsm.streams
    .add({
      name,
      subjects: [maxDeliveriesSubject(opts.stream, opts.durable)],
      storage: StorageType.File,
      retention: RetentionPolicy.Workqueue,
      num_replicas: opts.replicas,
      max_msgs: 100_000,
      max_bytes: 64 * 1024 * 1024,
      max_age: 7 * 86_400 * 1_000_000_000,
      max_msg_size: 64 * 1024,
      discard: DiscardPolicy.Old,
    })
    .catch((e: { api_error?: { err_code?: number } }) => {
      if (e.api_error?.err_code !== 10058) throw e; // already there
    });
  const durable = maxDeliveriesDurable(opts.durable);
  await jsm.consumers.info(name, durable).catch(async (e: { code?: string }) => {
    if (e.code !== '404') throw e;
    await jsm.consumers.add(name, {
      durable_name: durable,
      ack_policy: AckPolicy.Explicit,
      deliver_policy: DeliverPolicy.All,
      ack_wait: Math.max(30, opts.ackWaitSeconds) * 1_000_000_000,
      // An advisory that cannot be handled (NATS or the event log down) is retried; never dropped.
      max_deliver: -1,
    });
  });
}

/** Reads advisories until `stopping()`; `handle` must be idempotent (an advisory may come twice). */
export async function readMaxDeliveries(
  consumer: Consumer,
  stopping: () => boolean,
  handle: (a: MaxDeliveriesAdvisory) => Promise<void>,
  onError: (err: unknown, what: string) => void,
): Promise<void> {
  let backoff = 500;
  while (!stopping()) {
    try {
      const batch = await consumer.fetch({ max_messages: 10, expires: 2000 });
      for await (const m of batch) {
        const parsed = maxDeliveriesAdvisory.safeParse(m.json());
        if (!parsed.success) {
          onError(parsed.error, `unreadable max-deliveries advisory at ${m.seq}: dropped`);
          m.term();
          continue;
        }
        try {
          await handle(parsed.data);
          m.ack();
        } catch (err) {
          onError(err, `could not handle the max-deliveries advisory of job ${parsed.data.stream_seq}`);
          m.nak(5000);
        }
      }
      backoff = 500;
    } catch (err) {
      if (stopping()) break;
      onError(err, 'reading max-deliveries advisories failed; retrying');
      await new Promise((r) => setTimeout(r, backoff));
      backoff = Math.min(backoff * 2, 10_000);
    }
  }
}
