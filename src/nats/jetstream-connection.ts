import { connect, type NatsConnection } from 'nats';
import type { Logger } from '../shared/log.js';
import { natsConnectOptions, natsSettingsFromUrl, type NatsSettings } from './nats-options.js';

/**
 * Connects to NATS and keeps reconnecting forever: a NATS outage must end in automatic recovery,
 * while callers answer "try again" in the meantime.
 */
export interface NatsLink {
  nc: NatsConnection;
  /** False between a disconnect and the next reconnect: callers fail fast instead of waiting. */
  connected(): boolean;
}

/** `target` is a server list (credentials in it are used, never shown) or settings from the config. */
export async function connectNats(
  target: string | NatsSettings,
  log: Logger,
  name = 'tarka',
): Promise<NatsLink> {
  const settings = typeof target === 'string' ? natsSettingsFromUrl(target) : target;
  const nc = await connect({
    ...natsConnectOptions(settings),
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
