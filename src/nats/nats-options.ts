import { readFileSync } from 'node:fs';
import { credsAuthenticator, type ConnectionOptions } from 'nats';
import type { Config } from '../shared/config.js';
import { TarkaError } from '../shared/errors.js';
import { shownUrl, splitUrl } from '../shared/secret-url.js';

// How to reach NATS, as plain data: it crosses to the replay reader thread, which opens its own
// connection and must authenticate the same way. Credentials in NATS_URL (nats://user:pass@host,
// or nats://token@host) are taken out of the server list, so no log or error can print them.

export interface NatsSettings {
  /** Server URLs without credentials. */
  servers: string[];
  user?: string;
  pass?: string;
  token?: string;
  /** A .creds file (user JWT and nkey seed), read when connecting. */
  credsFile?: string;
  tls?: { caFile?: string; certFile?: string; keyFile?: string };
}

/** NATS_URL split into servers and credentials, with NATS_USER/PASSWORD/TOKEN/CREDS_FILE/TLS_* over it. */
export function natsSettings(config: Config): NatsSettings {
  const settings = natsSettingsFromUrl(config.NATS_URL ?? '');
  if (config.NATS_USER !== undefined) {
    settings.user = config.NATS_USER;
    settings.pass = config.NATS_PASSWORD ?? '';
    delete settings.token;
  }
  if (config.NATS_TOKEN !== undefined) settings.token = config.NATS_TOKEN;
  if (config.NATS_CREDS_FILE !== undefined) settings.credsFile = config.NATS_CREDS_FILE;
  const tls: NonNullable<NatsSettings['tls']> = {};
  if (config.NATS_TLS_CA_FILE !== undefined) tls.caFile = config.NATS_TLS_CA_FILE;
  if (config.NATS_TLS_CERT_FILE !== undefined) tls.certFile = config.NATS_TLS_CERT_FILE;
  if (config.NATS_TLS_KEY_FILE !== undefined) tls.keyFile = config.NATS_TLS_KEY_FILE;
  if (Object.keys(tls).length > 0) settings.tls = tls;
  return settings;
}

/** A comma-separated server list; `user:pass@` is user and password, a lone `token@` a token. */
export function natsSettingsFromUrl(url: string): NatsSettings {
  const settings: NatsSettings = { servers: [] };
  for (const raw of url.split(',').filter(Boolean)) {
    const split = splitUrl(raw);
    settings.servers.push(split.url.replace(/\/$/, ''));
    if (settings.user !== undefined || settings.token !== undefined) continue;
    if (split.password !== undefined) {
      settings.user = split.username ?? '';
      settings.pass = split.password;
    } else if (split.username !== undefined) {
      settings.token = split.username;
    }
  }
  // tls:// asks for TLS even without a CA bundle (the system's CAs then verify the server).
  if (settings.servers.some((s) => s.startsWith('tls://'))) settings.tls = {};
  return settings;
}

/** The servers as people may see them. */
export function shownServers(settings: NatsSettings): string {
  return settings.servers.map(shownUrl).join(',');
}

/** Options for nats.js `connect`, without name and reconnect policy (the caller's business). */
export function natsConnectOptions(settings: NatsSettings): ConnectionOptions {
  const options: ConnectionOptions = { servers: settings.servers };
  if (settings.user !== undefined) {
    options.user = settings.user;
    options.pass = settings.pass ?? '';
  }
  if (settings.token !== undefined) options.token = settings.token;
  if (settings.credsFile !== undefined) {
    options.authenticator = credsAuthenticator(readCreds(settings.credsFile));
  }
  if (settings.tls) options.tls = { ...settings.tls };
  return options;
}

function readCreds(file: string): Uint8Array {
  try {
    return readFileSync(file);
  } catch (err) {
    throw new TarkaError(
      'TARKA_CONFIG_INVALID',
      `invalid configuration:\n  NATS_CREDS_FILE=${JSON.stringify(file)}: cannot read it (${(err as NodeJS.ErrnoException).code ?? 'error'})`,
      'mount the .creds file (from `nsc generate creds`) at that path, or unset NATS_CREDS_FILE',
    );
  }
}
