import {
  AckPolicy,
  DeliverPolicy,
  headers,
  type JetStreamManager,
  type NatsConnection,
  type PubAck,
} from 'nats';

// The JetStream side of the job queue: the workers' durable pull consumer and the dead-letter
// stream's names and messages. The streams themselves are set up in jetstream-setup.ts, the
// max-deliveries advisories in max-deliveries.ts; what a job means stays in src/worker.

const nanos = (s: number) => s * 1_000_000_000;
export const deadLetterStream = (stream: string) => `${stream}_DLQ`;
export const deadLetterSubject = (subject: string) => `${subject}.dead`;

export interface JobConsumerSpec {
  stream: string;
  subject: string;
  durable: string;
  concurrency: number;
  ackWaitSeconds: number;
  maxDeliver: number;
}

/**
 * The workers' durable consumer, created if missing; an existing one takes the current ack wait,
 * delivery limit and ack-pending bound.
 */
export async function ensureJobConsumer(jsm: JetStreamManager, spec: JobConsumerSpec): Promise<void> {
  const config = {
    durable_name: spec.durable,
    ack_policy: AckPolicy.Explicit,
    deliver_policy: DeliverPolicy.All,
    ack_wait: nanos(spec.ackWaitSeconds),
    max_deliver: spec.maxDeliver,
    max_ack_pending: Math.max(1000, spec.concurrency * 4),
    filter_subject: spec.subject,
  };
  try {
    await jsm.consumers.info(spec.stream, spec.durable);
    await jsm.consumers.update(spec.stream, spec.durable, {
      ack_wait: config.ack_wait,
      max_deliver: config.max_deliver,
      max_ack_pending: config.max_ack_pending,
    });
  } catch (e) {
    if ((e as { code?: string }).code !== '404') throw e;
    await jsm.consumers.add(spec.stream, config);
  }
}

/**
 * Copies a job to the dead-letter subject of `subject` with why it died; the job's sequence is the
 * message id, so a second copy of the same job is dropped as a duplicate.
 */
export function publishDeadLetter(
  nc: NatsConnection,
  subject: string,
  dead: { data: Uint8Array; seq: number; deliveries: number; reason: string },
): Promise<PubAck> {
  const h = headers();
  h.set('Tarka-Dead-Reason', dead.reason.replace(/[\r\n]+/g, ' ').slice(0, 1000));
  h.set('Tarka-Original-Seq', String(dead.seq));
  h.set('Tarka-Deliveries', String(dead.deliveries));
  return nc
    .jetstream()
    .publish(deadLetterSubject(subject), dead.data, { headers: h, msgID: `dead:${dead.seq}` });
}
