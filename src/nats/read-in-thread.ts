import { Worker } from 'node:worker_threads';
import { StoreUnavailable, TarkaError, type ErrorCode } from '../shared/errors.js';
import type { Subscription } from '../events/event-store.js';
import type { StreamMessage } from './jetstream-reader.js';
import type { PackedBatch, ReaderThreadData, ThreadCommand, ThreadReport } from './reader-thread.js';

/**
 * readStream on a worker thread with its own connection: parsing the NATS protocol costs as much
 * CPU as writing the read model, so a rebuild that does both on one thread leaves the second core
 * idle. The thread reads at most two batches ahead of onMessages.
 */
export function readInThread(
  o: ReaderThreadData & { onMessages: (messages: StreamMessage[]) => Promise<void> },
): Subscription {
  const { onMessages, ...workerData } = o;
  // Under the test runner this module is TypeScript; the thread then loads it through tsx.
  const ts = import.meta.url.endsWith('.ts');
  const worker = new Worker(new URL(`./reader-thread.${ts ? 'ts' : 'js'}`, import.meta.url), {
    workerData,
    ...(ts ? { execArgv: [...process.execArgv, '--import', 'tsx'] } : {}),
  });
  const send = (c: ThreadCommand) => worker.postMessage(c);
  let failure: Error | undefined;
  let stopping = false;
  let chain = Promise.resolve();

  const done = new Promise<void>((resolve, reject) => {
    const fail = (e: Error) => {
      failure ??= e;
      send('stop');
    };
    worker.on('message', (r: ThreadReport) => {
      if ('failed' in r) return fail(rebuild(r.failed));
      chain = chain
        .then(async () => {
          if (failure || stopping) return;
          await onMessages(unpack(r.batch));
          send('next');
        })
        .catch(fail);
    });
    worker.on('error', (e) => fail(new StoreUnavailable(`event reader thread failed: ${e.message}`)));
    worker.on('exit', () => {
      void chain.then(() => {
        if (stopping) return resolve();
        reject(failure ?? new StoreUnavailable('event reader thread ended unexpectedly'));
      });
    });
  });

  return {
    done,
    stop: async () => {
      stopping = true;
      send('stop');
      await done.catch(() => undefined);
    },
  };
}

function unpack({ seqs, ends, bytes }: PackedBatch): StreamMessage[] {
  return Array.from(seqs, (seq, i) => ({ seq, data: bytes.subarray(i === 0 ? 0 : ends[i - 1], ends[i]) }));
}

function rebuild(f: { code: string; message: string; hint?: string | undefined }): Error {
  return f.code === 'TARKA_ES_UNAVAILABLE'
    ? new StoreUnavailable(f.message)
    : new TarkaError(f.code as ErrorCode, f.message, f.hint);
}
