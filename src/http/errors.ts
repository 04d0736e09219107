import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { downCause, isDependencyDown } from '../shared/dependency-down.js';
import { TarkaError, type ErrorCode } from '../shared/errors.js';
import type { Logger } from '../shared/log.js';

const statusOf: Partial<Record<ErrorCode, number>> = {
  TARKA_WEBHOOK_BAD_PAYLOAD: 400,
  TARKA_BAD_REQUEST: 400,
  TARKA_WEBHOOK_UNAUTHORIZED: 401,
  TARKA_UNAUTHORIZED: 401,
  TARKA_FORBIDDEN: 403,
  TARKA_CROSS_ORIGIN: 403,
  TARKA_HOST_NOT_ALLOWED: 421,
  TARKA_UNSUPPORTED_MEDIA_TYPE: 415,
  TARKA_LIVE_BUSY: 503,
  TARKA_NOT_FOUND: 404,
  TARKA_WEBHOOK_TOO_LARGE: 413,
  TARKA_WEBHOOK_OVERLOADED: 503,
  TARKA_RERUN_LIMITED: 429,
  TARKA_ES_VERSION_CONFLICT: 409,
  TARKA_ES_UNAVAILABLE: 503,
  TARKA_DEPENDENCY_DOWN: 503,
};

/** Maps every error to a stable code, a message and what to do; dependencies down mean "retry". */
export function errorHandler(log: Logger, bodyLimit: number) {
  return (error: FastifyError | Error, _req: FastifyRequest, reply: FastifyReply) => {
    let e: TarkaError;
    if (error instanceof TarkaError) e = error;
    else if ((error as FastifyError).code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
      e = new TarkaError(
        'TARKA_WEBHOOK_TOO_LARGE',
        `request body exceeds ${bodyLimit} bytes`,
        'raise WEBHOOK_BODY_LIMIT_BYTES, or lower max_alerts in the Alertmanager receiver',
      );
    } else if ((error as FastifyError).statusCode === 400 || (error as FastifyError).statusCode === 415) {
      e = new TarkaError(
        'TARKA_WEBHOOK_BAD_PAYLOAD',
        `bad request: ${error.message}`,
        'send a JSON body with Content-Type: application/json',
      );
      reply.status((error as FastifyError).statusCode!);
      return reply.send(e.toJSON());
    } else if (isDependencyDown(error)) {
      e =
        downCause(error) ??
        new TarkaError(
          'TARKA_DEPENDENCY_DOWN',
          `a dependency is unavailable: ${error.message}`,
          'retry shortly',
        );
    } else {
      log.error({ err: error }, 'unhandled error');
      return reply
        .status(500)
        .send({ code: 'TARKA_INTERNAL', message: 'internal error', hint: 'see the server log' });
    }
    const status = statusOf[e.code] ?? 500;
    if (status === 503) reply.header('Retry-After', '5');
    return reply.status(status).send(e.toJSON());
  };
}
