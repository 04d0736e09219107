import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { TarkaError } from './errors.js';
import { scrubSecrets } from './secret-url.js';
import { llmConfigShape, llmProblems } from './llm-config.js';
import { authConfigShape, authProblems } from './auth-config.js';
import { bool, int, list, optional, url } from './env-parsers.js';

// Environment variables, named as in the k8s ConfigMap and Secret. Parsed once at start; a wrong
// value stops start-up with the variable's name and what was expected.

// Names become NATS subjects and stream names: no dots, wildcards or spaces in names.
const streamName = z.string().regex(/^[A-Za-z0-9_-]+$/, { message: 'letters, digits, _ and - only' });
const subject = z.string().regex(/^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/, {
  message: 'a dotted NATS subject without wildcards, e.g. tarka.alerts',
});
// Extra request headers of a data source, e.g. {"X-Scope-OrgID":"tenant-a"} for a multi-tenant Loki.
const headers = z.string().transform((v, ctx) => {
  try {
    const parsed: unknown = JSON.parse(v);
    const token = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
    if (
      parsed &&
      typeof parsed === 'object' &&
      !Array.isArray(parsed) &&
      Object.entries(parsed).every(([k, h]) => token.test(k) && typeof h === 'string')
    )
      return parsed as Record<string, string>;
  } catch {
    /* reported below */
  }
  ctx.addIssue({
    code: 'custom',
    message: 'expected a JSON object of header names to string values, e.g. {"X-Scope-OrgID":"tenant-a"}',
  });
  return z.NEVER;
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
  COLLECTOR_MAX_RESPONSE_BYTES: int(1024, 1024 * 1024 * 1024).default(8 * 1024 * 1024),
  // Per data source: bearer token or basic auth (userinfo in the URL is basic auth too), extra
  // headers, a CA bundle, and certificate verification (off only when said explicitly).
  PROMETHEUS_BEARER_TOKEN: optional(z.string()),
  PROMETHEUS_BASIC_USER: optional(z.string()),
  PROMETHEUS_BASIC_PASSWORD: optional(z.string()),
  PROMETHEUS_HEADERS: optional(headers),
  PROMETHEUS_TLS_CA_FILE: optional(z.string()),
  PROMETHEUS_TLS_INSECURE_SKIP_VERIFY: bool.default(false),
  ALERTMANAGER_BEARER_TOKEN: optional(z.string()),
  ALERTMANAGER_BASIC_USER: optional(z.string()),
  ALERTMANAGER_BASIC_PASSWORD: optional(z.string()),
  ALERTMANAGER_HEADERS: optional(headers),
  ALERTMANAGER_TLS_CA_FILE: optional(z.string()),
  ALERTMANAGER_TLS_INSECURE_SKIP_VERIFY: bool.default(false),
  LOGS_BEARER_TOKEN: optional(z.string()),
  LOGS_BASIC_USER: optional(z.string()),
  LOGS_BASIC_PASSWORD: optional(z.string()),
  LOGS_HEADERS: optional(headers),
  LOGS_TLS_CA_FILE: optional(z.string()),
  LOGS_TLS_INSECURE_SKIP_VERIFY: bool.default(false),
  TIME_WINDOW: duration.default('1h'),
  /** Most items one Kubernetes list may hold (events, revisions); more are counted, not read. */
  KUBE_LIST_LIMIT: int(1, 100_000).default(500),
  /** Namespaces collectors may read: comma-separated names or globs (* and ?); deny wins. */
  COLLECTOR_NAMESPACES_ALLOW: list.default([]),
  COLLECTOR_NAMESPACES_DENY: list.default([]),

  S3_BUCKET: optional(z.string().min(3)),
  S3_PREFIX: z.string().default('reports/'),
  S3_ENDPOINT_URL: optional(url),
  S3_REGION: z.string().default('us-east-1'),
  S3_ACCESS_KEY_ID: optional(z.string()),
  S3_SECRET_ACCESS_KEY: optional(z.string()),
  /** A hanging S3 endpoint fails an upload in bounded time: per connection, per request, attempts. */
  S3_CONNECT_TIMEOUT_SECONDS: int(1, 300).default(5),
  S3_REQUEST_TIMEOUT_SECONDS: int(1, 3600).default(30),
  S3_MAX_ATTEMPTS: int(1, 10).default(3),

  NATS_URL: optional(
    z.string().regex(/^(nats|tls|wss?):\/\/[^\s]+(,(nats|tls|wss?):\/\/[^\s]+)*$/, {
      message: 'expected nats://host:port (comma-separated for a cluster)',
    }),
  ),
  // NATS auth besides user:pass@ in NATS_URL: user/password, token, or a .creds file (JWT + nkey); TLS.
  NATS_USER: optional(z.string()),
  NATS_PASSWORD: optional(z.string()),
  NATS_TOKEN: optional(z.string()),
  NATS_CREDS_FILE: optional(z.string()),
  NATS_TLS_CA_FILE: optional(z.string()),
  NATS_TLS_CERT_FILE: optional(z.string()),
  NATS_TLS_KEY_FILE: optional(z.string()),
  NATS_REPLICAS: int(1, 5).default(1),
  EVENTS_STREAM: streamName.default('TARKA_EVENTS'),
  EVENTS_SUBJECT_PREFIX: subject.default('tarka.events'),
  JETSTREAM_STREAM: streamName.default('TARKA'),
  JETSTREAM_SUBJECT: subject.default('tarka.alerts'),
  JETSTREAM_DURABLE: streamName.default('WORKERS'),
  JETSTREAM_DUPLICATE_WINDOW_SECONDS: int(1, 86_400).default(600),
  JETSTREAM_ACK_WAIT_SECONDS: int(1, 3600).default(120),
  JETSTREAM_MAX_DELIVER: int(1, 100).default(5),
  /** Bounds of the job queue (full: the dispatcher retries) and of the dead-letter stream (full: oldest go). */
  JETSTREAM_MAX_JOBS: int(1, 100_000_000).default(100_000),
  JETSTREAM_MAX_BYTES: int(1024 * 1024, 2 ** 40).default(256 * 1024 * 1024),
  JETSTREAM_DLQ_MAX_MESSAGES: int(1, 100_000_000).default(10_000),
  JETSTREAM_DLQ_MAX_BYTES: int(1024 * 1024, 2 ** 40).default(256 * 1024 * 1024),
  JETSTREAM_DLQ_MAX_AGE: duration.default('30d'),
  WORKER_CONCURRENCY: int(1, 256).default(4),
  WORKER_FETCH_BATCH: int(1, 1000).default(4),
  WORKER_SHUTDOWN_SECONDS: int(1, 3600).default(25),
  /** "Investigate again" per case and hour (one at a time in any case). */
  INVESTIGATION_RERUNS_PER_HOUR: int(1, 50).default(6),
  /** Alert storms: related alerts within this window join one incident (one investigation per cause); 0 turns grouping off. */
  INCIDENT_WINDOW_MINUTES: int(0, 1440).default(15),

  /** Chat: questions per author and thread per minute; tools and bounds (namespaces: COLLECTOR_NAMESPACES_*). */
  CHAT_TURNS_PER_MINUTE: int(1, 600).default(10),
  CHAT_MAX_TOOL_CALLS_PER_TURN: int(1, 20).default(4),
  CHAT_LLM_MAX_STEPS: int(1, 20).default(6),
  CHAT_TURN_TIMEOUT_SECONDS: int(1, 300).default(20),
  CHAT_TOOLS_DISABLED: list.default([]),
  CHAT_CLUSTERS_ALLOW: list.default([]),
  CHAT_MAX_SERIES: int(1, 500).default(20),
  CHAT_MAX_LOG_LINES: int(1, 1000).default(50),
  CHAT_MAX_RANGE: duration.default('6h'),
  CHAT_MAX_RANGE_STEPS: int(10, 11_000).default(240),

  ...llmConfigShape,

  POSTGRES_HOST: optional(z.string().min(1)),
  POSTGRES_PORT: int(1, 65535).default(5432),
  POSTGRES_DB: z.string().min(1).default('tarka'),
  POSTGRES_USER: z.string().min(1).default('postgres'),
  POSTGRES_PASSWORD: optional(z.string()),
  // A Postgres that does not answer fails a connection after this long, so the API answers 503 fast.
  POSTGRES_CONNECT_TIMEOUT_MS: int(100, 600_000).default(2000),
  /** Longest an API read may wait for Postgres (a frozen server or a silent network keeps it open). */
  POSTGRES_READ_TIMEOUT_SECONDS: int(1, 600).default(10),

  ...authConfigShape,
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
  // Hostile or broken senders: what one alert may hold, how far ahead of our clock it may start,
  // and how many alerts are appended at once (per request, and across requests).
  ALERT_MAX_CLOCK_SKEW: duration.default('5m'),
  ALERT_MAX_LABELS: int(1, 10_000).default(128),
  ALERT_MAX_LABEL_NAME_BYTES: int(16, 65_536).default(1024),
  ALERT_MAX_LABEL_VALUE_BYTES: int(64, 262_144).default(8192),
  ALERT_MAX_ANNOTATION_VALUE_BYTES: int(256, 262_144).default(32_768),
  WEBHOOK_ALERT_CONCURRENCY: int(1, 1024).default(32),
  WEBHOOK_MAX_INFLIGHT_ALERTS: int(1, 1_000_000).default(5000),
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
  'AUTH_SESSION_SECRET',
  'AUTH_INITIAL_ADMIN_PASSWORD',
  'OIDC_CLIENT_SECRET',
  'GOOGLE_OAUTH_CLIENT_SECRET',
  'METRICS_TOKEN',
  'PROMETHEUS_BEARER_TOKEN',
  'PROMETHEUS_BASIC_PASSWORD',
  'PROMETHEUS_HEADERS',
  'ALERTMANAGER_BEARER_TOKEN',
  'ALERTMANAGER_BASIC_PASSWORD',
  'ALERTMANAGER_HEADERS',
  'LOGS_BEARER_TOKEN',
  'LOGS_BASIC_PASSWORD',
  'LOGS_HEADERS',
  'NATS_PASSWORD',
  'NATS_TOKEN',
  'LLM_API_KEY',
] as const;

/**
 * `<NAME>_FILE` names a file holding a secret (a mounted Kubernetes Secret); its content, without
 * the final newline, stands for `<NAME>`. Setting both is an error.
 */
function withSecretFiles(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const out = { ...env };
  const problems: string[] = [];
  for (const name of secretKeys) {
    const file = env[`${name}_FILE`];
    if (!file) continue;
    if (env[name]) {
      problems.push(`  ${name}_FILE and ${name} are both set: set one`);
      continue;
    }
    try {
      out[name] = readFileSync(file, 'utf8').replace(/\r?\n$/, '');
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? 'error';
      problems.push(`${name}_FILE=${JSON.stringify(file)}: cannot read it (${code})`);
    }
  }
  if (problems.length > 0) {
    throw invalid(problems, 'fix the environment variables named above and start again');
  }
  return out;
}

// Values left over from an example manifest (k8s/secret.yaml says CHANGE-ME): never a real secret.
// Whole words only, so a passphrase such as "exchange-mesh" is not mistaken for one.
const placeholder = /(?<![a-z])(change[-_ ]?me|replace[-_ ]?me|placeholder)(?![a-z])|^x{3,}$/i;

/** Secret variables still holding a placeholder, as lines for the config error. */
function placeholderLines(env: NodeJS.ProcessEnv): string[] {
  return [...secretKeys, 'S3_ACCESS_KEY_ID', 'WEBHOOK_BASIC_USER', 'GOOGLE_OAUTH_CLIENT_ID', 'OIDC_CLIENT_ID']
    .filter((k) => typeof env[k] === 'string' && placeholder.test(env[k]))
    .map((k) => `${k}=(hidden): a placeholder value; set a real secret (e.g. openssl rand -hex 32)`);
}

export function loadConfig(given: NodeJS.ProcessEnv = process.env): Config {
  const env = withSecretFiles(given);
  const parsed = configSchema.safeParse(env);
  const placeholders = placeholderLines(env);
  if (!parsed.success || placeholders.length) {
    const lines = (parsed.error?.issues ?? []).map((i) => {
      const name = String(i.path[0] ?? '?');
      const shown = (secretKeys as readonly string[]).includes(name)
        ? '(hidden)'
        : JSON.stringify(scrubSecrets(String(env[name])));
      return `${name}=${shown}: ${i.message}`;
    });
    lines.push(...placeholders);
    throw invalid(lines, 'fix the environment variables named above and start again');
  }
  const c = parsed.data;
  if ((c.WEBHOOK_BASIC_USER === undefined) !== (c.WEBHOOK_BASIC_PASSWORD === undefined)) {
    throw invalid(
      ['WEBHOOK_BASIC_USER and WEBHOOK_BASIC_PASSWORD must be set together'],
      'set both, or neither',
    );
  }
  if ((c.S3_ACCESS_KEY_ID === undefined) !== (c.S3_SECRET_ACCESS_KEY === undefined)) {
    throw invalid(
      ['S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY must be set together'],
      'set both, or neither (to use the default AWS credential chain)',
    );
  }
  // Without a secret only the proxy knows, anyone who reaches the port could claim any identity.
  if (c.AUTH_MODE === 'proxy' && c.AUTH_PROXY_SECRET === undefined) {
    throw invalid(
      ['AUTH_PROXY_SECRET must be set when AUTH_MODE=proxy'],
      'set AUTH_PROXY_SECRET (openssl rand -hex 32) and have the proxy send it in the X-Tarka-Proxy-Secret header',
    );
  }
  const auth = authProblems(c);
  if (auth.length) {
    throw invalid(auth, 'see the README, Security: each AUTH_MODE and what it needs');
  }
  for (const p of ['PROMETHEUS', 'ALERTMANAGER', 'LOGS'] as const) {
    if (c[`${p}_BEARER_TOKEN`] !== undefined && c[`${p}_BASIC_USER`] !== undefined) {
      throw invalid(
        [`${p}_BEARER_TOKEN and ${p}_BASIC_USER are both set`],
        'use one way to authenticate to this source',
      );
    }
    if (c[`${p}_BASIC_PASSWORD`] !== undefined && c[`${p}_BASIC_USER`] === undefined) {
      throw invalid([`${p}_BASIC_PASSWORD is set without ${p}_BASIC_USER`], `set ${p}_BASIC_USER too`);
    }
  }
  if (c.NATS_PASSWORD !== undefined && c.NATS_USER === undefined) {
    throw invalid(['NATS_PASSWORD is set without NATS_USER'], 'set NATS_USER too');
  }
  if ((c.NATS_TLS_CERT_FILE === undefined) !== (c.NATS_TLS_KEY_FILE === undefined)) {
    throw invalid(
      ['NATS_TLS_CERT_FILE and NATS_TLS_KEY_FILE must be set together'],
      'set both for a client certificate, or neither',
    );
  }
  const llm = llmProblems(c);
  if (llm.length) {
    throw invalid(llm, 'set the LLM variables named above, or LLM_ENABLED=false');
  }
  return c;
}

/** The start-up error for settings that are wrong together, one line each. */
const invalid = (problems: string[], hint: string) =>
  new TarkaError(
    'TARKA_CONFIG_INVALID',
    `invalid configuration:\n${problems.map((p) => `  ${p}`).join('\n')}`,
    hint,
  );

export function durationMs(d: string): number {
  const m = /^(\d+)(ms|s|m|h|d)$/.exec(d);
  if (!m) throw new TarkaError('TARKA_CONFIG_INVALID', `bad duration ${d}`);
  const unit = { ms: 1, s: 1e3, m: 60e3, h: 3600e3, d: 86400e3 }[m[2] as 'ms'];
  return Number(m[1]) * unit;
}
