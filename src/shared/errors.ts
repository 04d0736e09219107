// Every error a user can meet has a stable code and says what to do about it. One catalogue: the
// HTTP status each code answers with (null: it stops a process at start, exit 1 or 2), and what it
// means. The README's error table is checked against it (errors.test.ts).
export const errorCatalogue = {
  TARKA_CONFIG_INVALID: {
    status: null,
    meaning: 'a setting is wrong or missing; start-up stops (exit 2) naming the variable',
  },
  TARKA_ES_SERVER_FEATURE_MISSING: {
    status: null,
    meaning: 'nats-server too old or without JetStream; upgrade it or start it with -js',
  },
  TARKA_ES_STREAM_UNFIT: {
    status: null,
    meaning: 'an existing event stream could lose events (limits, deletes); fix its configuration',
  },
  TARKA_EMBEDDED_START_FAILED: {
    status: null,
    meaning: '`tarka up` could not start its embedded NATS or Postgres; the message says why',
  },
  TARKA_WEBHOOK_BAD_PAYLOAD: {
    status: 400,
    meaning: 'not an Alertmanager v4 payload, or no alert in it could be stored; the message names the field',
  },
  TARKA_BAD_REQUEST: {
    status: 400,
    meaning: 'a request the API cannot act on; the message says what is wrong',
  },
  TARKA_WEBHOOK_UNAUTHORIZED: {
    status: 401,
    meaning: 'missing or wrong webhook credentials; set them in the Alertmanager receiver',
  },
  TARKA_UNAUTHORIZED: {
    status: 401,
    meaning: 'not signed in, or the session or API token expired or was revoked; sign in again',
  },
  TARKA_SIGN_IN_FAILED: {
    status: 401,
    meaning: 'sign-in refused (wrong e-mail or password, or the provider said no); nothing more is told',
  },
  TARKA_FORBIDDEN: {
    status: 403,
    meaning:
      'signed in, but not allowed (role too low, user disabled, or domain not in AUTH_ALLOWED_DOMAINS)',
  },
  TARKA_CROSS_ORIGIN: {
    status: 403,
    meaning: 'a change or live feed asked for by another site (CSRF guard)',
  },
  TARKA_NOT_FOUND: { status: 404, meaning: 'no such case or route' },
  TARKA_ES_VERSION_CONFLICT: { status: 409, meaning: 'the case changed meanwhile; retry' },
  TARKA_USER_EXISTS: { status: 409, meaning: 'a user with this e-mail already exists' },
  TARKA_WEBHOOK_TOO_LARGE: {
    status: 413,
    meaning: 'the body or an alert is larger than Tarka stores; shorten labels or raise the limit named',
  },
  TARKA_UNSUPPORTED_MEDIA_TYPE: {
    status: 415,
    meaning: 'a change must be sent as JSON (Content-Type: application/json)',
  },
  TARKA_HOST_NOT_ALLOWED: {
    status: 421,
    meaning:
      "the Host header is not one of this console's names (DNS rebinding guard); see AUTH_ALLOWED_HOSTS",
  },
  TARKA_SIGN_IN_LIMITED: {
    status: 429,
    meaning: 'too many failed sign-ins for this user or address; wait (Retry-After) and try again',
  },
  TARKA_RERUN_LIMITED: {
    status: 429,
    meaning: 'an investigation is already running, or INVESTIGATION_RERUNS_PER_HOUR is spent; retry later',
  },
  TARKA_CHAT_EMPTY: { status: 400, meaning: 'a chat question with no text' },
  TARKA_CHAT_TOO_LONG: { status: 400, meaning: 'a chat question longer than 2000 characters' },
  TARKA_CHAT_QUERY_INVALID: {
    status: 400,
    meaning:
      'a chat tool was given a query or input it refuses (e.g. PromQL with no metric); the answer says which',
  },
  TARKA_CHAT_TOOL_DENIED: {
    status: 403,
    meaning:
      'a chat tool is switched off (CHAT_TOOLS_DISABLED) or the namespace/cluster is outside the allowlists',
  },
  TARKA_CHAT_RATE_LIMITED: {
    status: 429,
    meaning: 'more chat questions per author and thread than CHAT_TURNS_PER_MINUTE; wait a minute',
  },
  TARKA_CHAT_TOOL_LIMIT: {
    status: 429,
    meaning: 'a chat turn used up CHAT_MAX_TOOL_CALLS_PER_TURN or its time budget; ask a narrower question',
  },
  TARKA_CHAT_SOURCE_UNAVAILABLE: {
    status: 503,
    meaning: 'the data source a chat tool reads (Prometheus, Kubernetes, logs, Postgres) did not answer',
  },
  TARKA_INTERNAL: { status: 500, meaning: 'a bug; the server log has the details' },
  TARKA_EVENT_UNREADABLE: {
    status: 500,
    meaning: 'a stored event this Tarka cannot read; upgrade, or see `tarka parked list`',
  },
  TARKA_ES_UNAVAILABLE: {
    status: 503,
    meaning: 'NATS JetStream unreachable; retry (Retry-After), nothing was stored',
  },
  TARKA_DEPENDENCY_DOWN: {
    status: 503,
    meaning: 'Postgres (or another dependency) unreachable; retry (Retry-After)',
  },
  TARKA_WEBHOOK_OVERLOADED: {
    status: 503,
    meaning: 'more alerts in flight than WEBHOOK_MAX_INFLIGHT_ALERTS; Alertmanager retries',
  },
  TARKA_LIVE_BUSY: {
    status: 503,
    meaning: 'too many live connections (LIVE_MAX_CONNECTIONS*); the console retries',
  },
  // The optional LLM: the deterministic report stands whatever these say; the case shows the code.
  TARKA_LLM_UNAVAILABLE: {
    status: 502,
    meaning: 'the LLM provider could not be reached or failed (5xx); the deterministic report stands',
  },
  TARKA_LLM_REJECTED: {
    status: 502,
    meaning: 'the LLM provider refused the call (key, model name, request); check LLM_* settings',
  },
  TARKA_LLM_TIMEOUT: { status: 504, meaning: 'the LLM provider did not answer within LLM_TIMEOUT_SECONDS' },
  TARKA_LLM_RATE_LIMITED: {
    status: 429,
    meaning: 'the LLM provider said 429 (rate or quota) after LLM_MAX_RETRIES retries; retry later',
  },
  TARKA_LLM_INVALID_OUTPUT: {
    status: 502,
    meaning: 'the LLM answered something that is not the JSON asked for; nothing of it was kept',
  },
  TARKA_LLM_TRUNCATED: {
    status: 502,
    meaning: 'the LLM answer hit LLM_MAX_TOKENS and was cut off; raise it or use a shorter prompt',
  },
  TARKA_LLM_BUDGET_EXCEEDED: {
    status: 429,
    meaning: 'LLM_DAILY_BUDGET_USD is spent for today (UTC); Tarka is deterministic-only until midnight',
  },
} as const satisfies Record<string, { status: number | null; meaning: string }>;

export type ErrorCode = keyof typeof errorCatalogue;

/** HTTP status of an error code; a code with none (a start-up error) answers 500 if it ever reaches HTTP. */
export const httpStatusOf = (code: ErrorCode): number => errorCatalogue[code].status ?? 500;

export class TarkaError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly hint?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'TarkaError';
  }

  toJSON(): { code: ErrorCode; message: string; hint?: string } {
    return { code: this.code, message: this.message, ...(this.hint ? { hint: this.hint } : {}) };
  }
}

/** Optimistic concurrency failure: someone appended to the aggregate since we read it. */
export class VersionConflict extends TarkaError {
  constructor(
    readonly aggregate: string,
    readonly expected: number,
    readonly actual?: number,
  ) {
    super(
      'TARKA_ES_VERSION_CONFLICT',
      `aggregate ${aggregate} moved past version ${expected}${actual === undefined ? '' : ` (now ${actual})`}`,
      'reload the aggregate and decide again',
    );
  }
}

/** The event store cannot be reached; callers answer "try again", never a fake success. */
export class StoreUnavailable extends TarkaError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('TARKA_ES_UNAVAILABLE', message, 'NATS JetStream is unreachable; retry shortly', options);
  }
}
