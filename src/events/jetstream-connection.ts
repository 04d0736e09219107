import { connect, type NatsConnection } from 'nats';
import type { Logger } from '../shared/log.js';

/**
 * Connects to NATS and keeps reconnecting forever: a NATS outage must end in automatic recovery,
 * while callers answer "try again" in the meantime.
 */
export interface NatsLink {
  nc: NatsConnection;
  /** False between a disconnect and the next reconnect: callers fail fast instead of waiting. */
  connected(): boolean;
}

export async function connectNats(url: string, log: Logger, name = 'tarka'): Promise<NatsLink> {
  const nc = await connect({
    servers: url.split(','),
    name,
    maxReconnectAttempts: -1,
    reconnectTimeWait: 500,
    waitOnFirstConnect: false,
    pingInterval: 10_000,
    // A stack trace captured for every request costs ~8% CPU on the append path; errors name their cause anyway.
    noAsyncTraces: true,
  });
  let up = true;
  void (async () => {
    for await (const s of nc.status()) {
      if (s.type === 'disconnect') {
        up = false;
        log.warn({ server: s.data }, 'NATS connection lost; reconnecting');
      } else if (s.type === 'reconnect') {
        up = true;
        log.info({ server: s.data }, 'NATS connection restored');
      }
    }
  })();
  return { nc, connected: () => up && !nc.isClosed() };
}
