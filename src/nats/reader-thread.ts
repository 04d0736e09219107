import { parentPort, workerData } from 'node:worker_threads';
import { connect } from 'nats';
import { TarkaError } from '../shared/errors.js';
import { scrubSecrets } from '../shared/secret-url.js';
import { readStream } from './jetstream-reader.js';
import { natsConnectOptions, type NatsSettings } from './nats-options.js';

// The body of a reader thread (see read-in-thread.ts): its own NATS connection running readStream,
// handing each batch to the parent packed into one transferred buffer (one copy of the bytes, no
// structured clone of objects).

/** Connection settings (with the same credentials as the parent's connection) and what to read. */
export interface ReaderThreadData extends NatsSettings {
  stream: string;
  fromSeq: number;
  batchSize: number;
}

/** A batch of messages packed into one buffer: message i is bytes[ends[i-1] ?? 0, ends[i]). */
export interface PackedBatch {
  seqs: Float64Array;
  ends: Uint32Array;
  bytes: Uint8Array;
}

export type ThreadReport =
  { batch: PackedBatch } | { failed: { code: string; message: string; hint?: string | undefined } };

/** From the parent: it took the last batch, or stop. */
export type ThreadCommand = 'next' | 'stop';

const port = parentPort!;
const data = workerData as ReaderThreadData;

// The parent holds at most one batch it has not taken yet; the next one gathers meanwhile.
let taken: Promise<void> = Promise.resolve();
let take: (() => void) | undefined;

const report = (r: ThreadReport, transfer: ArrayBuffer[] = []) => port.postMessage(r, transfer);
const fail = (e: unknown) => {
  const err = e instanceof TarkaError ? e : undefined;
  report({
    failed: {
      code: err?.code ?? 'TARKA_ES_UNAVAILABLE',
      message: scrubSecrets((e as Error).message),
      hint: err?.hint,
    },
  });
};

try {
  const { stream, fromSeq, batchSize, ...settings } = data;
  const nc = await connect({ ...natsConnectOptions(settings), name: 'tarka-reader', noAsyncTraces: true });
  const sub = readStream(nc, await nc.jetstreamManager(), {
    stream,
    fromSeq,
    batchSize,
    onMessages: async (messages) => {
      await taken;
      taken = new Promise<void>((r) => (take = r));
      const seqs = new Float64Array(messages.length);
      const ends = new Uint32Array(messages.length);
      const bytes = new Uint8Array(messages.reduce((n, m) => n + m.data.byteLength, 0));
      let end = 0;
      messages.forEach((m, i) => {
        bytes.set(m.data, end);
        end += m.data.byteLength;
        seqs[i] = m.seq;
        ends[i] = end;
      });
      report({ batch: { seqs, ends, bytes } }, [seqs.buffer, ends.buffer, bytes.buffer]);
    },
  });
  port.on('message', (c: ThreadCommand) => {
    if (c === 'stop') void sub.stop();
    take?.();
  });
  await sub.done.catch(fail);
  await nc.close();
} catch (e) {
  fail(e);
}
port.close();
