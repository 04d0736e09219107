import { connect, type NatsConnection } from 'nats';
import type { Logger } from '../shared/log.js';

/**
 * Connects to NATS and keeps reconnecting forever: a NATS outage must end in automatic recovery,
 * while callers answer "try again" in the meantime.
 */
export async function connectNats(url: string, log: Logger, name = 'tarka'): Promise<NatsConnection> {
  const nc = await connect({
    servers: url.split(','),
    name,
    maxReconnectAttempts: -1,
    reconnectTimeWait: 500,
    waitOnFirstConnect: false,
    pingInterval: 10_000,
  });
  void (async () => {
    for await (const s of nc.status()) {
      if (s.type === 'disconnect') log.warn({ server: s.data }, 'NATS connection lost; reconnecting');
      else if (s.type === 'reconnect') log.info({ server: s.data }, 'NATS connection restored');
    }
  })();
  return nc;
}
