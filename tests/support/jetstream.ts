import { connect, type NatsConnection } from 'nats';
import { JetStreamEventStore } from '../../src/nats/jetstream-event-store.js';
import { ensureEventStream, jetStreamManager } from '../../src/nats/jetstream-setup.js';
import { NATS_URL, uniqueName } from './env.js';

export interface TestStream {
  nc: NatsConnection;
  stream: string;
  prefix: string;
  store: JetStreamEventStore;
  cleanup(): Promise<void>;
}

/** A fresh event stream on the real JetStream, deleted by cleanup(). */
export async function freshEventStream(options: { readerThread?: boolean } = {}): Promise<TestStream> {
  const nc = await connect({ servers: NATS_URL });
  const jsm = await jetStreamManager(nc);
  const stream = uniqueName('T').toUpperCase();
  const prefix = stream.toLowerCase().replace(/_/g, '-') + '.events';
  await ensureEventStream(jsm, {
    name: stream,
    subjectPrefix: prefix,
    replicas: 1,
    duplicateWindowSeconds: 120,
  });
  const store = new JetStreamEventStore(nc, jsm, {
    stream,
    subjectPrefix: prefix,
    ...(options.readerThread ? { readerThread: { servers: [NATS_URL] } } : {}),
  });
  return {
    nc,
    stream,
    prefix,
    store,
    cleanup: async () => {
      await jsm.streams.delete(stream).catch(() => undefined);
      await nc.close();
    },
  };
}
