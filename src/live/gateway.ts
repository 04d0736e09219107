import type { DatabasePool } from 'slonik';
import type { Logger } from '../shared/log.js';
import { liveReadModels, messagesOf, projectedPosition, readChanges, type Changes } from './changes.js';
import type { Frame } from '../contract/frames.js';
import type { ProjectionNotice } from './listener.js';

/** The part of a websocket the gateway uses (ws's WebSocket fits). */
export interface LiveSocket {
  send(data: string): void;
  close(code?: number, reason?: string): void;
  readonly bufferedAmount: number;
  readonly readyState: number;
  /** Drops the connection at once (ws has it); a close handshake would wait behind the backlog. */
  terminate?(): void;
}

export interface GatewayOptions {
  /** Rows above which a gap or a batch is not sent row by row: the client gets a reset. */
  maxRows?: number;
  /** A client that has this much unsent data is too slow: close it, it resumes from its seq. */
  maxBufferedBytes?: number;
}

interface Client {
  /** Position up to which this client has been sent everything. */
  sent: number;
}

const OPEN = 1;

/**
 * Fans committed read-model changes out to every connected console. One read per projector
 * notification, whatever the number of sockets. All work (joins and broadcasts) runs one task at a
 * time, so a client's gap and the live frames after it never interleave or go backwards.
 */
export class LiveGateway {
  private position = 0;
  private readonly clients = new Map<LiveSocket, Client>();
  private queue: Promise<void> = Promise.resolve();
  private tickQueued = false;
  private retry: NodeJS.Timeout | undefined;
  private started: Promise<void> | undefined;
  private stopped = false;
  private readonly maxRows: number;
  private readonly maxBuffered: number;
  private stopListening: (() => Promise<void>) | undefined;

  constructor(
    private readonly deps: {
      readPool: DatabasePool;
      log: Logger;
      /** Starts the LISTEN session; returns its stop function. */
      listen: (
        onNotice: (n: ProjectionNotice) => void,
        onReconnect: () => void,
      ) => Promise<() => Promise<void>>;
      onClients?: (count: number) => void;
      /** A socket was dropped for having more than maxBufferedBytes unsent. */
      onSlowClient?: () => void;
    },
    options: GatewayOptions = {},
  ) {
    this.maxRows = options.maxRows ?? 500;
    this.maxBuffered = options.maxBufferedBytes ?? 8 * 1024 * 1024;
  }

  /** Starts listening on the first connection, so processes without consoles hold no session. */
  private ensureStarted(): Promise<void> {
    this.started ??= (async () => {
      this.stopListening = await this.deps.listen(
        (n) => {
          if (liveReadModels.has(n.name) && n.position > this.position) this.notify();
        },
        () => this.notify(),
      );
      if (this.stopped) await this.stopListening();
      // Listen first, then read the position: a commit in between is both counted and notified.
      this.position = await projectedPosition(this.deps.readPool);
    })().catch((e: unknown) => {
      this.started = undefined;
      void this.stopListening?.();
      throw e;
    });
    return this.started;
  }

  get size(): number {
    return this.clients.size;
  }

  /** A new socket: `since` is the last position it saw (from a previous connection), if any. */
  join(socket: LiveSocket, since: number | undefined): void {
    this.enqueue(async () => {
      try {
        await this.ensureStarted();
      } catch (err) {
        this.deps.log.warn({ err }, 'live gateway cannot start; closing the socket so it retries');
        socket.close(1011, 'live updates unavailable, retrying');
        return;
      }
      if (socket.readyState !== OPEN) return;
      if (since === undefined) {
        this.send(socket, [json({ type: 'hello', seq: this.position, resumed: false })]);
        this.add(socket, this.position);
        return;
      }
      let changes: Changes;
      try {
        changes = await readChanges(this.deps.readPool, since, this.maxRows);
      } catch (err) {
        this.deps.log.warn({ err }, 'live gateway could not read a gap; closing the socket so it retries');
        socket.close(1011, 'live updates unavailable, retrying');
        return;
      }
      if (socket.readyState !== OPEN) return;
      // A client ahead of the read model comes from another world (a rebuilt database): start over.
      if (changes.tooMany || changes.seq < since) {
        this.send(socket, [
          json({ type: 'hello', seq: changes.seq, resumed: true }),
          json({ type: 'reset', seq: changes.seq }),
        ]);
      } else {
        this.send(socket, [json({ type: 'hello', seq: changes.seq, resumed: true }), ...messagesOf(changes)]);
      }
      this.add(socket, changes.seq);
    });
  }

  /**
   * An ephemeral frame (streamed answer text) to every connected console, now: it is not part of
   * the resumable feed, and a client already too far behind is skipped rather than fed more.
   */
  broadcast(frame: Frame): void {
    const message = json(frame);
    for (const socket of this.clients.keys()) {
      if (socket.readyState === OPEN && socket.bufferedAmount <= this.maxBuffered) socket.send(message);
    }
  }

  leave(socket: LiveSocket): void {
    if (this.clients.delete(socket)) this.deps.onClients?.(this.clients.size);
  }

  /** A projector committed: read what changed (once) and tell everyone. */
  notify(): void {
    if (this.tickQueued || this.stopped) return;
    this.tickQueued = true;
    this.enqueue(async () => {
      this.tickQueued = false;
      await this.tick();
    });
  }

  private async tick(): Promise<void> {
    if (!this.started) return;
    if (this.clients.size === 0) {
      // Nobody to tell; only keep the position current so the next hello is accurate.
      this.position = Math.max(this.position, await projectedPosition(this.deps.readPool));
      return;
    }
    const changes: Changes = await readChanges(this.deps.readPool, this.position, this.maxRows);
    if (changes.seq <= this.position) return;
    const messages = changes.tooMany ? [json({ type: 'reset', seq: changes.seq })] : messagesOf(changes);
    for (const [socket, client] of this.clients) {
      if (client.sent >= changes.seq) continue;
      this.send(socket, messages);
      client.sent = changes.seq;
    }
    this.position = changes.seq;
  }

  private add(socket: LiveSocket, sent: number) {
    if (socket.readyState !== OPEN) return;
    this.clients.set(socket, { sent });
    this.deps.onClients?.(this.clients.size);
  }

  private send(socket: LiveSocket, messages: string[]) {
    if (socket.readyState !== OPEN) return;
    // A client that has not taken what it was sent before must not hold more of the server's
    // memory: drop it. It reconnects with its last sync and gets the gap (or a reset). A batch
    // itself (at most maxRows rows) always goes out whole, so a big gap still arrives.
    if (socket.bufferedAmount > this.maxBuffered) return this.drop(socket);
    for (const m of messages) socket.send(m);
  }

  private drop(socket: LiveSocket) {
    this.leave(socket);
    this.deps.onSlowClient?.();
    if (socket.terminate) socket.terminate();
    else socket.close(1013, 'too far behind, reconnect');
  }

  private enqueue(task: () => Promise<void>) {
    this.queue = this.queue.then(task).catch((err: unknown) => {
      if (this.stopped) return;
      this.deps.log.warn({ err }, 'live gateway could not read changes; trying again shortly');
      clearTimeout(this.retry);
      this.retry = setTimeout(() => this.notify(), 1000);
    });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retry);
    for (const socket of this.clients.keys()) socket.close(1001, 'server stopping');
    this.clients.clear();
    await this.queue;
    await this.stopListening?.();
  }
}

const json = (f: Frame) => JSON.stringify(f);
