import websocket from '@fastify/websocket';
import type { FastifyPluginAsync } from 'fastify';
import { Counter, Gauge, type Registry } from 'prom-client';
import type { DatabasePool } from 'slonik';
import { pgSettings } from '../db/postgres.js';
import type { Config } from '../shared/config.js';
import { TarkaError } from '../shared/errors.js';
import type { Logger } from '../shared/log.js';
import type { AuthService } from '../auth/service.js';
import { watchSession } from '../auth/live-session.js';
import { LiveGateway, type LiveSocket } from './gateway.js';
import { answerStreamSubject, readAnswerChunk } from '../chat/answer-stream.js';
import type { NatsConnection } from 'nats';
import { ProjectionListener } from './listener.js';

/** What ws gives us beyond LiveSocket, for keep-alive. */
interface WsSocket extends LiveSocket {
  ping(): void;
  terminate(): void;
  on(event: 'pong' | 'close', fn: () => void): void;
}

const since = (v: unknown) => {
  const n = typeof v === 'string' && /^\d{1,15}$/.test(v) ? Number(v) : NaN;
  return Number.isSafeInteger(n) ? n : undefined;
};

/**
 * GET /api/live: the console's websocket (see src/contract/frames.ts for the protocol), a plugin of
 * the console scope: its websocket server, gateway and heartbeat live and close with it.
 */
export const liveScope =
  (deps: {
    config: Config;
    log: Logger;
    readPool: DatabasePool;
    metrics: { registry: Registry };
    /** Sign-in: a socket opened with a session is closed when that session ends. */
    auth?: AuthService | null;
    /** Where LLM answers stream from (the workers publish them); without it only whole answers show. */
    nc?: NatsConnection;
  }): FastifyPluginAsync =>
  async (scope) => {
    // An app may be built twice on one registry (tests): reuse the metrics then.
    const reg = deps.metrics.registry;
    const clients =
      (reg.getSingleMetric('tarka_live_clients') as Gauge | undefined) ??
      new Gauge({
        name: 'tarka_live_clients',
        help: 'Consoles connected to the live websocket',
        registers: [reg],
      });
    const connections =
      (reg.getSingleMetric('tarka_live_connections_total') as Counter | undefined) ??
      new Counter({
        name: 'tarka_live_connections_total',
        help: 'Websocket connections accepted by the live gateway',
        registers: [reg],
      });
    const refused =
      (reg.getSingleMetric('tarka_live_refused_total') as Counter<'reason'> | undefined) ??
      new Counter({
        name: 'tarka_live_refused_total',
        help: 'Live websockets refused or dropped: total or per_ip connection cap, slow (unsent data over LIVE_MAX_BUFFERED_BYTES)',
        labelNames: ['reason'],
        registers: [reg],
      });
    const gateway = new LiveGateway(
      {
        readPool: deps.readPool,
        log: deps.log,
        onClients: (n) => clients.set(n),
        onSlowClient: () => refused.inc({ reason: 'slow' }),
        listen: async (onNotice, onReconnect) => {
          const l = new ProjectionListener(pgSettings(deps.config), deps.log, onNotice, onReconnect);
          await l.start();
          return () => l.stop();
        },
      },
      { maxBufferedBytes: deps.config.LIVE_MAX_BUFFERED_BYTES },
    );

    // Open sockets per client address, so one client (or a runaway loop) cannot take them all.
    // Behind a proxy every console shares the proxy's address: LIVE_MAX_CONNECTIONS_PER_IP is then a
    // second total cap.
    const perIp = new Map<string, number>();
    let open = 0;
    const full = (ip: string): 'total' | 'per_ip' | null =>
      open >= deps.config.LIVE_MAX_CONNECTIONS
        ? 'total'
        : (perIp.get(ip) ?? 0) >= deps.config.LIVE_MAX_CONNECTIONS_PER_IP
          ? 'per_ip'
          : null;
    const busy = (reason: 'total' | 'per_ip') =>
      new TarkaError(
        'TARKA_LIVE_BUSY',
        reason === 'total'
          ? 'too many live connections on this server'
          : 'too many live connections from this address',
        'close other console tabs; the console retries by itself',
      );

    // Proxies drop idle connections; a ping every 25 s keeps them open and finds dead peers.
    const alive = new Map<WsSocket, boolean>();
    const heartbeat = setInterval(() => {
      for (const [socket, ok] of alive) {
        if (!ok) {
          socket.terminate();
          continue;
        }
        alive.set(socket, false);
        socket.ping();
      }
    }, 25_000);
    heartbeat.unref();

    // Browsers send nothing but control frames; anything big is not a console.
    await scope.register(websocket, { options: { maxPayload: 4096 } });
    scope.route<{ Querystring: { since?: string } }>({
      method: 'GET',
      url: '/api/live',
      // Refused before the upgrade, as a plain HTTP answer (503 + Retry-After).
      preValidation: async (req) => {
        const reason = full(req.ip);
        if (reason) {
          refused.inc({ reason });
          throw busy(reason);
        }
      },
      handler: async (_req, reply) =>
        reply.status(426).send({
          code: 'TARKA_BAD_REQUEST',
          message: 'GET /api/live is a websocket',
          hint: 'open it with new WebSocket(...)',
        }),
      wsHandler: (raw, req) => {
        const socket = raw as unknown as WsSocket;
        // Upgrades that passed preValidation together may still overshoot: count for real here.
        const reason = full(req.ip);
        if (reason) {
          refused.inc({ reason });
          socket.close(1013, busy(reason).message);
          return;
        }
        open++;
        perIp.set(req.ip, (perIp.get(req.ip) ?? 0) + 1);
        connections.inc();
        alive.set(socket, true);
        socket.on('pong', () => alive.set(socket, true));
        const unwatch = watchSession(deps.auth ?? null, req.principal, deps.config, () =>
          socket.close(4401, 'session ended: sign in again'),
        );
        socket.on('close', () => {
          unwatch();
          open--;
          const n = (perIp.get(req.ip) ?? 1) - 1;
          if (n > 0) perIp.set(req.ip, n);
          else perIp.delete(req.ip);
          alive.delete(socket);
          gateway.leave(socket);
        });
        gateway.join(socket, since(req.query.since));
      },
    });
    // Streamed LLM answer text, relayed as it comes while anyone is connected.
    const answers = deps.nc?.subscribe(answerStreamSubject(deps.config), {
      callback: (err, msg) => {
        if (err || gateway.size === 0) return;
        const chunk = readAnswerChunk(msg.string());
        if (chunk) gateway.broadcast({ type: 'chat_answer_text', ...chunk });
      },
    });
    scope.addHook('onClose', async () => {
      answers?.unsubscribe();
      clearInterval(heartbeat);
      await gateway.stop();
    });
  };
