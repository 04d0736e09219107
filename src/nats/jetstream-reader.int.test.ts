import { connect as tcpConnect, createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { connect, type NatsConnection } from 'nats';
import { NATS_URL, uniqueName } from '../../tests/support/env.js';
import { readStream, type StreamMessage } from './jetstream-reader.js';

/**
 * A TCP proxy in front of the real nats-server that drops the server's "408 Request Timeout"
 * statuses: nats-server 2.9 sometimes ends an expired pull request without one, and the reader
 * must carry on by itself then.
 */
async function proxyDropping408(): Promise<{ url: string; close(): void }> {
  const upstream = new URL(NATS_URL);
  const sockets: Socket[] = [];
  const server: Server = createServer((client) => {
    const nats = tcpConnect(Number(upstream.port), upstream.hostname);
    sockets.push(client, nats);
    client.pipe(nats);
    let pending = Buffer.alloc(0);
    nats.on('data', (chunk: Buffer) => {
      pending = Buffer.concat([pending, chunk]);
      const out: Buffer[] = [];
      for (;;) {
        const eol = pending.indexOf('\r\n');
        if (eol < 0) break;
        const line = pending.subarray(0, eol).toString();
        const [op, ...args] = line.split(' ');
        let end = eol + 2;
        if (op === 'MSG' || op === 'HMSG') end += Number(args.at(-1)) + 2; // payload and its \r\n
        if (pending.length < end) break;
        const frame = pending.subarray(0, end);
        if (!(op === 'HMSG' && frame.includes('NATS/1.0 408'))) out.push(frame);
        pending = pending.subarray(end);
      }
      if (out.length) client.write(Buffer.concat(out));
    });
    const close = () => {
      client.destroy();
      nats.destroy();
    };
    client.on('error', close).on('close', close);
    nats.on('error', close).on('close', close);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  return {
    url: `nats://127.0.0.1:${port}`,
    close: () => {
      for (const s of sockets) s.destroy();
      server.close();
    },
  };
}

describe('reading the event stream', () => {
  let cleanup: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await cleanup?.();
    cleanup = undefined;
  });

  it('carries on when the server ends a pull request without saying so', async () => {
    const proxy = await proxyDropping408();
    const nc: NatsConnection = await connect({ servers: proxy.url });
    const jsm = await nc.jetstreamManager();
    const stream = uniqueName('RD').toUpperCase();
    const subject = stream.toLowerCase();
    await jsm.streams.add({ name: stream, subjects: [`${subject}.>`] });
    cleanup = async () => {
      await jsm.streams.delete(stream).catch(() => undefined);
      await nc.close();
      proxy.close();
    };
    const js = nc.jetstream();
    const seen: StreamMessage[] = [];
    const sub = readStream(nc, jsm, {
      stream,
      fromSeq: 1,
      batchSize: 100,
      expiresMs: 200,
      onMessages: async (m) => {
        seen.push(...m);
      },
    });
    await js.publish(`${subject}.a`, 'one');
    // Several expiries pass without a 408 reaching the reader; what comes later is still read.
    await new Promise((r) => setTimeout(r, 1500));
    await js.publish(`${subject}.b`, 'two');
    const until = Date.now() + 5000;
    while (seen.length < 2 && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
    await sub.stop();
    await expect(sub.done).resolves.toBeUndefined();
    expect(seen.map((m) => [m.seq, new TextDecoder().decode(m.data)])).toEqual([
      [1, 'one'],
      [2, 'two'],
    ]);
  });
});
