import pRetry from 'p-retry';
import type { Logger } from '../shared/log.js';

/**
 * True for JetStream answers that mean "not now" rather than "no": a request timed out, nobody
 * answered yet, or the meta leader or a stream/consumer leader is being elected (a node of the
 * cluster just restarted). Setting up streams and consumers is worth retrying through these.
 */
export function isTransientJetStreamError(e: unknown): boolean {
  const err = e as { code?: string; api_error?: { code?: number; err_code?: number } };
  if (err?.code === 'TIMEOUT' || err?.code === '503') return true;
  // 10008: "JetStream system temporarily unavailable"; a 503 API answer: no leader yet.
  return err?.api_error?.err_code === 10008 || err?.api_error?.code === 503;
}

/** Runs a JetStream set-up step, retrying transient failures for up to `withinMs` before giving up. */
export function retryJetStreamSetup<T>(
  what: string,
  step: () => Promise<T>,
  log: Logger,
  withinMs = 60_000,
): Promise<T> {
  return pRetry(step, {
    retries: 1000,
    minTimeout: 250,
    maxTimeout: 5000,
    maxRetryTime: withinMs,
    shouldRetry: ({ error }) => isTransientJetStreamError(error),
    onFailedAttempt: ({ error, attemptNumber }) => {
      if (isTransientJetStreamError(error))
        log.warn({ err: error, attempt: attemptNumber }, `${what}: JetStream not answering yet; retrying`);
    },
  });
}
