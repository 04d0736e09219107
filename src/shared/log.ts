import { pino, type Logger } from 'pino';
import { secretKeys } from './config.js';

export type { Logger };

// Secrets never reach the log, even when a whole config or request is logged by mistake.
const redact = [
  ...secretKeys.flatMap((k) => [k, `*.${k}`]),
  'req.headers.authorization',
  'headers.authorization',
  'password',
  '*.password',
];

export function createLogger(level = 'info', name = 'tarka'): Logger {
  return pino({ name, level, redact: { paths: redact, censor: '[redacted]' } });
}
