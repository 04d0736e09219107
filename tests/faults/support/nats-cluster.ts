import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect as tcpConnect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, type JetStreamManager, type NatsConnection } from 'nats';
import { freePort } from '../../support/process.js';

interface Node {
  name: string;
  port: number;
  monitorPort: number;
  config: string;
  child?: ChildProcess | undefined;
  log: string;
}

/**
 * Three nats-server processes with JetStream, clustered over loopback routes, each with its own
 * store folder. A node can be killed with SIGKILL and started again on the same store, as a
 * crashed pod would be.
 */
export interface NatsCluster {
  /** All three client URLs, comma-separated, as NATS_URL takes them. */
  url: string;
  names: string[];
  /** The nodes a client (by its connection name, e.g. tarka-worker) is connected to now. */
  nodesOf(clientName: string): Promise<string[]>;
  /** The server currently leading a stream's Raft group (or a durable consumer's, when named). */
  leaderOf(stream: string, consumer?: string): Promise<string>;
  kill(name: string): Promise<void>;
  start(name: string): Promise<void>;
  /** Resolves when the stream has a leader and `node` is a current replica again (after a restart). */
  waitHealthy(stream: string, node: string, timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

const listening = (port: number) =>
  new Promise<boolean>((r) => {
    const s = tcpConnect(port, '127.0.0.1', () => {
      s.end();
      r(true);
    });
    s.on('error', () => r(false));
  });

export async function startNatsCluster(): Promise<NatsCluster> {
  const dir = mkdtempSync(join(tmpdir(), 'tarka-nats-cluster-'));
  const names = ['n1', 'n2', 'n3'];
  const clientPorts = await Promise.all(names.map(() => freePort()));
  const routePorts = await Promise.all(names.map(() => freePort()));
  const monitorPorts = await Promise.all(names.map(() => freePort()));
  const nodes: Node[] = names.map((name, i) => {
    const store = join(dir, name);
    mkdirSync(store);
    const routes = routePorts.filter((_, j) => j !== i).map((p) => `nats-route://127.0.0.1:${p}`);
    const config = join(dir, `${name}.conf`);
    writeFileSync(
      config,
      `server_name: ${name}
listen: 127.0.0.1:${clientPorts[i]}
http: 127.0.0.1:${monitorPorts[i]}
jetstream {
  store_dir: "${store}"
}
cluster {
  name: tarka-faults
  listen: 127.0.0.1:${routePorts[i]}
  routes: [${routes.join(', ')}]
}
`,
    );
    return { name, port: clientPorts[i]!, monitorPort: monitorPorts[i]!, config, log: '' };
  });
  const url = nodes.map((n) => `nats://127.0.0.1:${n.port}`).join(',');
  const node = (name: string) => {
    const n = nodes.find((x) => x.name === name);
    if (!n) throw new Error(`no node ${name}`);
    return n;
  };

  const start = async (name: string) => {
    const n = node(name);
    const child = spawn('nats-server', ['-c', n.config], { stdio: ['ignore', 'pipe', 'pipe'] });
    const keep = (d: Buffer) => (n.log = (n.log + d.toString()).slice(-20_000));
    child.stdout!.on('data', keep);
    child.stderr!.on('data', keep);
    n.child = child;
    for (let i = 0; i < 200; i++) {
      if (child.exitCode !== null) throw new Error(`nats-server ${name} exited:\n${n.log}`);
      if (await listening(n.port)) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`nats-server ${name} did not listen:\n${n.log}`);
  };
  const kill = async (name: string) => {
    const c = node(name).child;
    if (!c || c.exitCode !== null || c.signalCode !== null) return;
    const gone = new Promise((r) => c.once('exit', r));
    c.kill('SIGKILL');
    await gone;
  };

  // A restarted node takes client connections before its JetStream API answers; a Tarka process
  // connecting to it then would fail to start, so a restart is over only when it answers.
  const jetStreamOn = async (n: Node) => {
    const nc = await connect({ servers: `nats://127.0.0.1:${n.port}`, reconnect: false }).catch(() => null);
    if (!nc) return false;
    try {
      await (await nc.jetstreamManager()).getAccountInfo();
      return true;
    } catch {
      return false;
    } finally {
      await nc.close().catch(() => undefined);
    }
  };

  let admin: NatsConnection | undefined;
  let jsm: JetStreamManager | undefined;
  const manager = async () => {
    admin ??= await connect({ servers: url.split(','), maxReconnectAttempts: -1, reconnectTimeWait: 200 });
    jsm ??= await admin.jetstreamManager();
    return jsm;
  };

  const stop = async () => {
    await admin?.close().catch(() => undefined);
    for (const n of nodes) await kill(n.name);
    rmSync(dir, { recursive: true, force: true });
  };
  // Never leave servers behind if the test process ends without afterAll.
  process.once('exit', () => nodes.forEach((n) => n.child?.kill('SIGKILL')));

  try {
    await Promise.all(names.map(start));
    // JetStream answers once the meta group has a leader; until then account info fails.
    const deadline = Date.now() + 30_000;
    for (;;) {
      try {
        await (await manager()).getAccountInfo();
        break;
      } catch (e) {
        if (Date.now() > deadline)
          throw new Error(`JetStream cluster not ready: ${(e as Error).message}`, { cause: e });
        await new Promise((r) => setTimeout(r, 200));
      }
    }
  } catch (e) {
    await stop();
    throw e;
  }

  return {
    url,
    names,
    start,
    kill,
    stop,
    async nodesOf(clientName) {
      const found: string[] = [];
      for (const n of nodes) {
        if (!n.child || n.child.exitCode !== null || n.child.signalCode !== null) continue;
        const res = await fetch(`http://127.0.0.1:${n.monitorPort}/connz?limit=4096`).catch(() => null);
        if (!res?.ok) continue;
        const { connections = [] } = (await res.json()) as { connections?: { name?: string }[] };
        if (connections.some((c) => c.name === clientName)) found.push(n.name);
      }
      return found;
    },
    async leaderOf(stream, consumer) {
      // Right after a node restart a Raft group may still be electing: wait for its leader.
      const jsm = await manager();
      const deadline = Date.now() + 20_000;
      for (;;) {
        const info = await (consumer ? jsm.consumers.info(stream, consumer) : jsm.streams.info(stream)).catch(
          () => null,
        );
        const leader = info?.cluster?.leader;
        if (leader) return leader;
        if (Date.now() > deadline) throw new Error(`${consumer ?? stream} has no leader after 20 s`);
        await new Promise((r) => setTimeout(r, 200));
      }
    },
    async waitHealthy(stream, name, timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs;
      let last: string;
      for (;;) {
        try {
          const info = await (await manager()).streams.info(stream);
          const c = info.cluster;
          last = JSON.stringify(c);
          type Peer = { name: string; current: boolean; offline?: boolean; active?: number; lag?: number };
          const peers: Peer[] = [
            ...(c?.replicas ?? []),
            ...(c?.leader ? [{ name: c.leader, current: true }] : []),
          ];
          const back = peers.find((r) => r.name === name);
          // Seen in the last second and not behind: the restarted node has caught up with the leader.
          const fresh = (r: Peer) => !r.offline && (r.active ?? 0) < 1e9 && (r.lag ?? 0) === 0;
          if (
            c?.leader &&
            peers.length === 3 &&
            back?.current &&
            fresh(back) &&
            (await jetStreamOn(node(name)))
          )
            return;
        } catch (e) {
          last = (e as Error).message;
        }
        if (Date.now() > deadline) throw new Error(`stream ${stream} not healthy: ${last}`);
        await new Promise((r) => setTimeout(r, 200));
      }
    },
  };
}
