import { pino, type DestinationStream, type Logger, type LoggerOptions } from 'pino';
import { secretKeys } from './config.js';
import { scrubSecrets } from './secret-url.js';

export type { Logger };

// Secrets never reach the log, even when a whole config or request is logged by mistake.
const redact = [
  ...secretKeys.flatMap((k) => [k, `*.${k}`]),
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-tarka-proxy-secret"]',
  'headers.authorization',
  'headers.cookie',
  '*.headers.authorization',
  'authorization',
  '*.authorization',
  'password',
  '*.password',
  'pass',
  '*.pass',
  'token',
  '*.token',
  'bearerToken',
  '*.bearerToken',
];

/** Error messages and stacks may quote a URL with its credentials (a library's, not ours). */
function errSerializer(err: Error): Record<string, unknown> {
  const out = pino.stdSerializers.err(err) as unknown as Record<string, unknown>;
  for (const key of ['message', 'stack']) {
    if (typeof out[key] === 'string') out[key] = scrubSecrets(out[key]);
  }
  return out;
}

/** `destination` defaults to stdout; tests pass a stream to read what was logged. */
export function createLogger(level = 'info', name = 'tarka', destination?: DestinationStream): Logger {
  const options: LoggerOptions = {
    name,
    level,
    redact: { paths: redact, censor: '[redacted]' },
    serializers: { err: errSerializer },
    hooks: {
      // Messages are built from strings that may hold a URL: keep only its shown form.
      logMethod(args, method) {
        method.apply(
          this,
          args.map((a) => (typeof a === 'string' ? scrubSecrets(a) : a)) as Parameters<typeof method>,
        );
      },
    },
  };
  return destination ? pino(options, destination) : pino(options);
}
