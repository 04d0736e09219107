import { z } from 'zod';
import { TarkaError } from './errors.js';

// Environment variables, named as in the k8s ConfigMap and Secret. Parsed once at start; a wrong
// value stops start-up with the variable's name and what was expected.

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'], { message: 'expected true or false' })
  .transform((v) => v === 'true' || v === '1' || v === 'yes');
const int = (min: number, max: number) =>
  z.coerce
    .number({ message: 'expected a whole number' })
    .int({ message: 'expected a whole number' })
    .min(min, { message: `expected at least ${min}` })
    .max(max, { message: `expected at most ${max}` });
const url = z.url({ protocol: /^https?$/, message: 'expected an http(s) URL such as http://host:port' });
const optional = <T extends z.ZodType>(schema: T) =>
  z.preprocess((v) => (v === '' ? undefined : v), schema.optional());
const list = z.string().transform((v) =>
  v
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean),
);
// Names become NATS subjects and stream names: no dots, wildcards or spaces in names.
const streamName = z.string().regex(/^[A-Za-z0-9_-]+$/, { message: 'letters, digits, _ and - only' });
const subject = z.string().regex(/^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/, {
  message: 'a dotted NATS subject without wildcards, e.g. tarka.alerts',
});
const duration = z.string().regex(/^\d+(ms|s|m|h|d)$/, { message: 'a duration such as 30m, 1h or 2d' });

export const configSchema = z.object({
  HOST: z.string().default('0.0.0.0'),
  PORT: int(1, 65535).default(8080),
  LOG_LEVEL: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info'),
  TARKA_DATA_DIR: z.string().default('./.tarka'),

  PROMETHEUS_URL: optional(url),
  /** Prometheus as people's browsers reach it: the console links queries to its graph page. */
  PROMETHEUS_PUBLIC_URL: optional(url),
  ALERTMANAGER_URL: optional(url),
  LOGS_URL: optional(url),
  LOGS_BACKEND: z.enum(['auto', 'victorialogs', 'loki']).default('auto'),
  COLLECTOR_TIMEOUT_SECONDS: int(1, 120).default(5),
  TIME_WINDOW: duration.default('1h'),

  S3_BUCKET: optional(z.string().min(3)),
  S3_PREFIX: z.string().default('reports/'),
  S3_ENDPOINT_URL: optional(url),
  S3_REGION: z.string().default('us-east-1'),
  S3_ACCESS_KEY_ID: optional(z.string()),
  S3_SECRET_ACCESS_KEY: optional(z.string()),

  NATS_URL: optional(
    z.string().regex(/^(nats|tls|wss?):\/\/[^\s]+(,(nats|tls|wss?):\/\/[^\s]+)*$/, {
      message: 'expected nats://host:port (comma-separated for a cluster)',
    }),
  ),
  NATS_REPLICAS: int(1, 5).default(1),
  EVENTS_STREAM: streamName.default('TARKA_EVENTS'),
  EVENTS_SUBJECT_PREFIX: subject.default('tarka.events'),
  JETSTREAM_STREAM: streamName.default('TARKA'),
  JETSTREAM_SUBJECT: subject.default('tarka.alerts'),
  JETSTREAM_DURABLE: streamName.default('WORKERS'),
  JETSTREAM_DUPLICATE_WINDOW_SECONDS: int(1, 86_400).default(600),
  JETSTREAM_ACK_WAIT_SECONDS: int(1, 3600).default(120),
  JETSTREAM_MAX_DELIVER: int(1, 100).default(5),
  WORKER_CONCURRENCY: int(1, 256).default(4),
  WORKER_FETCH_BATCH: int(1, 1000).default(4),
  WORKER_SHUTDOWN_SECONDS: int(1, 3600).default(25),
  /** "Investigate again" per case and hour (one at a time in any case). */
  INVESTIGATION_RERUNS_PER_HOUR: int(1, 50).default(6),

  LLM_ENABLED: bool.default(false),
  LLM_PROVIDER: optional(z.string()),
  LLM_MODEL: optional(z.string()),

  POSTGRES_HOST: optional(z.string().min(1)),
  POSTGRES_PORT: int(1, 65535).default(5432),
  POSTGRES_DB: z.string().min(1).default('tarka'),
  POSTGRES_USER: z.string().min(1).default('postgres'),
  POSTGRES_PASSWORD: optional(z.string()),

  // proxy: behind an authenticating proxy (oauth2-proxy, an ingress with SSO) that sets X-Forwarded-Email.
  AUTH_MODE: z
    .enum(['none', 'proxy'], { message: 'expected none, or proxy (behind oauth2-proxy or an SSO ingress)' })
    .default('none'),
  AUTH_PUBLIC_BASE_URL: optional(url),
  AUTH_ALLOWED_DOMAINS: list.default([]),
  /** Shared with the auth proxy, which sends it in X-Tarka-Proxy-Secret: identity headers count only with it. */
  AUTH_PROXY_SECRET: optional(z.string().min(16, { message: 'use at least 16 characters' })),
  /** Host names the console and API answer to besides AUTH_PUBLIC_BASE_URL's (and loopback names). */
  AUTH_ALLOWED_HOSTS: list.default([]),
  /** `tarka serve` on a non-loopback address without webhook credentials or console auth: allowed only with true. */
  TARKA_ALLOW_INSECURE: bool.default(false),
  /** What `tarka serve` answers besides /health, /ready, /metrics: webhook (/alerts), console (UI + API), or all. */
  SERVE_ROUTES: z
    .enum(['all', 'webhook', 'console'], { message: 'expected all, webhook or console' })
    .default('all'),
  /** Live websocket limits: connections in total and per client address, and unsent bytes per socket. */
  LIVE_MAX_CONNECTIONS: int(1, 100_000).default(1000),
  LIVE_MAX_CONNECTIONS_PER_IP: int(1, 100_000).default(200),
  LIVE_MAX_BUFFERED_BYTES: int(16 * 1024, 256 * 1024 * 1024).default(2 * 1024 * 1024),

  WEBHOOK_BODY_LIMIT_BYTES: int(1024, 512 * 1024 * 1024).default(10 * 1024 * 1024),
  WEBHOOK_BEARER_TOKEN: optional(z.string().min(16, { message: 'use at least 16 characters' })),
  WEBHOOK_BASIC_USER: optional(z.string().min(1)),
  WEBHOOK_BASIC_PASSWORD: optional(z.string().min(8, { message: 'use at least 8 characters' })),
  ALERTNAME_ALLOWLIST: list.default([]),
  CASE_CACHE_SIZE: int(0, 10_000_000).default(100_000),
});

export type Config = z.infer<typeof configSchema>;

/** Variables whose values must never be printed. */
export const secretKeys = [
  'S3_SECRET_ACCESS_KEY',
  'POSTGRES_PASSWORD',
  'WEBHOOK_BEARER_TOKEN',
  'WEBHOOK_BASIC_PASSWORD',
  'AUTH_PROXY_SECRET',
] as const;

// Values left over from an example manifest (k8s/secret.yaml says CHANGE-ME): never a real secret.
const placeholder = /change[-_ ]?me|replace[-_ ]?me|placeholder|^x{3,}$/i;

/** Secret variables still holding a placeholder, as lines for the config error. */
function placeholderLines(env: NodeJS.ProcessEnv): string[] {
  return [...secretKeys, 'S3_ACCESS_KEY_ID', 'WEBHOOK_BASIC_USER']
    .filter((k) => typeof env[k] === 'string' && placeholder.test(env[k]))
    .map((k) => `  ${k}=(hidden): a placeholder value; set a real secret (e.g. openssl rand -hex 32)`);
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = configSchema.safeParse(env);
  const placeholders = placeholderLines(env);
  if (!parsed.success || placeholders.length) {
    const lines = (parsed.error?.issues ?? []).map((i) => {
      const name = String(i.path[0] ?? '?');
      const shown = (secretKeys as readonly string[]).includes(name) ? '(hidden)' : JSON.stringify(env[name]);
      return `  ${name}=${shown}: ${i.message}`;
    });
    lines.push(...placeholders);
    throw new TarkaError(
      'TARKA_CONFIG_INVALID',
      `invalid configuration:\n${lines.join('\n')}`,
      'fix the environment variables named above and start again',
    );
  }
  const c = parsed.data;
  if ((c.WEBHOOK_BASIC_USER === undefined) !== (c.WEBHOOK_BASIC_PASSWORD === undefined)) {
    throw new TarkaError(
      'TARKA_CONFIG_INVALID',
      'invalid configuration:\n  WEBHOOK_BASIC_USER and WEBHOOK_BASIC_PASSWORD must be set together',
      'set both, or neither',
    );
  }
  if ((c.S3_ACCESS_KEY_ID === undefined) !== (c.S3_SECRET_ACCESS_KEY === undefined)) {
    throw new TarkaError(
      'TARKA_CONFIG_INVALID',
      'invalid configuration:\n  S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY must be set together',
      'set both, or neither (to use the default AWS credential chain)',
    );
  }
  // Without a secret only the proxy knows, anyone who reaches the port could claim any identity.
  if (c.AUTH_MODE === 'proxy' && c.AUTH_PROXY_SECRET === undefined) {
    throw new TarkaError(
      'TARKA_CONFIG_INVALID',
      'invalid configuration:\n  AUTH_PROXY_SECRET must be set when AUTH_MODE=proxy',
      'set AUTH_PROXY_SECRET (openssl rand -hex 32) and have the proxy send it in the X-Tarka-Proxy-Secret header',
    );
  }
  return c;
}

export function durationMs(d: string): number {
  const m = /^(\d+)(ms|s|m|h|d)$/.exec(d);
  if (!m) throw new TarkaError('TARKA_CONFIG_INVALID', `bad duration ${d}`);
  const unit = { ms: 1, s: 1e3, m: 60e3, h: 3600e3, d: 86400e3 }[m[2] as 'ms'];
  return Number(m[1]) * unit;
}
