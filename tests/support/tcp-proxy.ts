import { createServer, connect, type Server, type Socket } from 'node:net';
import { freePort } from './process.js';

export type ProxyMode = 'forward' | 'hang' | 'refuse' | 'freeze';

/**
 * A TCP forwarder that a test can turn into a faulty network: `hang` accepts connections and
 * drops every byte both ways (a black hole, as a stopped VM or a partition looks), `refuse`
 * resets every connection, `forward` passes bytes through again. Changing mode cuts the
 * connections in flight, as a real outage would, except `freeze`: it keeps them open and drops
 * every byte (a server stopped with SIGSTOP, or a network that silently loses packets).
 */
export interface TcpProxy {
  port: number;
  url(scheme?: string): string;
  setMode(mode: ProxyMode): void;
  close(): Promise<void>;
}

export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  const port = await freePort();
  let mode: ProxyMode = 'forward';
  const open = new Set<Socket>();
  const track = (s: Socket) => {
    open.add(s);
    s.once('close', () => open.delete(s));
    s.on('error', () => undefined);
  };
  const pairs = new Set<[Socket, Socket]>();
  const server: Server = createServer((client) => {
    track(client);
    if (mode === 'refuse') return void client.resetAndDestroy();
    if (mode === 'hang' || mode === 'freeze') return void client.on('data', () => undefined);
    const upstream = connect(target.port, target.host);
    track(upstream);
    const pair: [Socket, Socket] = [client, upstream];
    pairs.add(pair);
    client.once('close', () => pairs.delete(pair));
    client.pipe(upstream);
    upstream.pipe(client);
    client.once('close', () => upstream.destroy());
    upstream.once('close', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const cutAll = () => {
    for (const s of open) s.resetAndDestroy();
    open.clear();
  };
  return {
    port,
    url: (scheme = 'http') => `${scheme}://127.0.0.1:${port}`,
    setMode(next) {
      if (next === 'freeze') {
        // Open connections stay open; whatever either side sends is dropped.
        for (const [client, upstream] of pairs) {
          client.unpipe(upstream);
          upstream.unpipe(client);
          client.on('data', () => undefined);
          upstream.on('data', () => undefined);
        }
        pairs.clear();
      } else if (next !== mode) cutAll();
      mode = next;
    },
    close: async () => {
      cutAll();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
