import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { downCause, isDependencyDown } from '../shared/dependency-down.js';
import { httpStatusOf, TarkaError } from '../shared/errors.js';
import type { Logger } from '../shared/log.js';

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
        .send(new TarkaError('TARKA_INTERNAL', 'internal error', 'see the server log').toJSON());
    }
    const status = httpStatusOf(e.code);
    if (status === 503) reply.header('Retry-After', '5');
    return reply.status(status).send(e.toJSON());
  };
}

/** Any route no scope answers: a domain error like the others, mapped by the handler above. */
export async function notFound(req: FastifyRequest): Promise<never> {
  throw new TarkaError('TARKA_NOT_FOUND', `no route ${req.method} ${req.url}`, 'see the README for the API');
}
