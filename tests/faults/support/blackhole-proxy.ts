import { createServer, connect, type Socket } from 'node:net';
import { freePort } from '../../support/process.js';

/**
 * A TCP forwarder whose outage looks like a host that vanished: on `hang()` every connection,
 * open or new, stays open and silent, and those connections stay silent for ever, even after
 * `restore()` (their packets went nowhere; nothing resets them). Only new connections made after
 * the restore work. A client recovers only if it times out and reconnects, which is what this
 * tests. (tests/support/tcp-proxy.ts cuts connections when its mode changes, a kinder outage.)
 */
export interface BlackholeProxy {
  url(): string;
  hang(): void;
  restore(): void;
  /** Connections that went silent and were never answered again. */
  silenced(): number;
  close(): Promise<void>;
}

export async function startBlackholeProxy(target: { host: string; port: number }): Promise<BlackholeProxy> {
  const port = await freePort();
  let hanging = false;
  const all = new Set<Socket>();
  const live = new Set<{ client: Socket; upstream: Socket }>();
  let silenced = 0;
  const drop = () => undefined;
  const silence = (client: Socket, upstream?: Socket) => {
    silenced++;
    if (upstream) {
      client.unpipe(upstream);
      upstream.unpipe(client);
      upstream.on('data', drop);
    }
    client.on('data', drop);
  };
  const server = createServer((client) => {
    all.add(client);
    client.on('error', drop);
    client.once('close', () => all.delete(client));
    if (hanging) return silence(client);
    const upstream = connect(target.port, target.host);
    all.add(upstream);
    upstream.on('error', drop);
    const pair = { client, upstream };
    live.add(pair);
    client.pipe(upstream);
    upstream.pipe(client);
    const end = () => {
      live.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.once('close', end);
    upstream.once('close', () => {
      all.delete(upstream);
      if (live.has(pair)) end();
    });
  });
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
  return {
    url: () => `http://127.0.0.1:${port}`,
    hang() {
      hanging = true;
      for (const p of live) silence(p.client, p.upstream);
      live.clear();
    },
    restore() {
      hanging = false;
    },
    silenced: () => silenced,
    close: async () => {
      for (const s of all) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
