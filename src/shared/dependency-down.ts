import {
  BackendTerminatedError,
  BackendTerminatedUnexpectedlyError,
  ConnectionError,
  StatementTimeoutError,
} from 'slonik';
import { StoreUnavailable, TarkaError } from './errors.js';

// Socket errors of a server that is down, unreachable or cut off.
const socketCodes = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
  'ENOTFOUND',
]);

// Postgres SQLSTATEs of a server that cannot serve now: connection exceptions (class 08), shutting
// down or starting up (57P01-57P03), too many connections (53300), statement timeout (57014), and
// a database not created yet (3D000: a process that started while Postgres was down).
const postgresStates = new Set(['57P01', '57P02', '57P03', '53300', '57014', '3D000']);

// pg's own connection failures carry no code, only these messages.
const pgMessages =
  /timeout exceeded when trying to connect|connection terminated|connection timeout|not queryable|connection error|server closed the connection/i;

/**
 * True when an error means a dependency (Postgres, NATS) is down or not answering, rather than a
 * bug: the caller should answer 503 and let the client retry. Follows the cause chain, as slonik
 * wraps pg's errors and we wrap slonik's.
 */
export function isDependencyDown(error: unknown, depth = 0): boolean {
  if (!(error instanceof Error) || depth > 5) return false;
  if (error instanceof StoreUnavailable) return true;
  if (error instanceof TarkaError) return error.code === 'TARKA_DEPENDENCY_DOWN';
  if (
    error instanceof ConnectionError ||
    error instanceof BackendTerminatedError ||
    error instanceof BackendTerminatedUnexpectedlyError ||
    error instanceof StatementTimeoutError
  )
    return true;
  const code = (error as { code?: unknown }).code;
  if (
    typeof code === 'string' &&
    (socketCodes.has(code) || postgresStates.has(code) || code.startsWith('08'))
  )
    return true;
  if (/ConnectionError|BackendTerminated/.test(error.name) || pgMessages.test(error.message)) return true;
  return isDependencyDown(error.cause, depth + 1);
}

/** Our own "down" error inside a chain (slonik wraps it), which says best what is down and what to do. */
export function downCause(error: unknown, depth = 0): TarkaError | undefined {
  if (!(error instanceof Error) || depth > 5) return undefined;
  if (error instanceof TarkaError)
    return error.code === 'TARKA_DEPENDENCY_DOWN' || error.code === 'TARKA_ES_UNAVAILABLE'
      ? error
      : undefined;
  return downCause(error.cause, depth + 1);
}
