import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { CaseCommandHandler } from '../commands/case/handler.js';
import { describeIssues, payloadSchema } from '../ingest/alertmanager-payload.js';
import { ingestAlerts } from '../ingest/ingest-alerts.js';
import { TarkaError } from '../shared/errors.js';
import type { Config } from '../shared/config.js';
import type { Metrics } from './metrics.js';

const outcomes: Record<number, string> = {
  202: 'accepted',
  400: 'bad_request',
  401: 'unauthorized',
  413: 'too_large',
  415: 'bad_request',
  503: 'unavailable',
};

const same = (a: string, b: string) => {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
};

/** Accepts Alertmanager's http_config credentials: a bearer token or basic auth, when configured. */
export function authorized(req: FastifyRequest, config: Config): boolean {
  const bearer = config.WEBHOOK_BEARER_TOKEN;
  const user = config.WEBHOOK_BASIC_USER;
  if (!bearer && !user) return true;
  const header = req.headers.authorization ?? '';
  const [scheme, value = ''] = header.split(' ', 2);
  if (bearer && scheme?.toLowerCase() === 'bearer' && same(value, bearer)) return true;
  if (user && scheme?.toLowerCase() === 'basic') {
    const decoded = Buffer.from(value, 'base64').toString('utf8');
    const i = decoded.indexOf(':');
    return (
      i > 0 && same(decoded.slice(0, i), user) && same(decoded.slice(i + 1), config.WEBHOOK_BASIC_PASSWORD!)
    );
  }
  return false;
}

export function webhookRoutes(
  app: FastifyInstance,
  deps: { config: Config; handler: CaseCommandHandler; metrics: Metrics },
) {
  const { config, handler, metrics } = deps;
  const allowed = config.ALERTNAME_ALLOWLIST.length ? new Set(config.ALERTNAME_ALLOWLIST) : null;
  app.post(
    '/alerts',
    {
      bodyLimit: config.WEBHOOK_BODY_LIMIT_BYTES,
      onResponse: async (_req, reply) => {
        metrics.webhookRequests.inc({ outcome: outcomes[reply.statusCode] ?? 'error' });
      },
      // Checked before the body is read, so unauthenticated senders cost us nothing.
      onRequest: async (req, reply) => {
        if (!authorized(req, config)) {
          reply.header(
            'WWW-Authenticate',
            config.WEBHOOK_BEARER_TOKEN ? 'Bearer realm="tarka"' : 'Basic realm="tarka"',
          );
          throw new TarkaError(
            'TARKA_WEBHOOK_UNAUTHORIZED',
            'missing or wrong credentials',
            'set http_config credentials in the Alertmanager receiver',
          );
        }
      },
    },
    async (req, reply) => {
      const parsed = payloadSchema.safeParse(req.body);
      if (!parsed.success) {
        throw new TarkaError(
          'TARKA_WEBHOOK_BAD_PAYLOAD',
          describeIssues(parsed.error),
          'send an Alertmanager webhook payload (version 4)',
        );
      }
      const payload = parsed.data;
      if (payload.truncatedAlerts > 0) {
        metrics.truncatedAlerts.inc(payload.truncatedAlerts);
        req.log.warn(
          { groupKey: payload.groupKey, truncatedAlerts: payload.truncatedAlerts },
          'Alertmanager truncated this group; raise max_alerts to see every alert',
        );
      }
      const counts = await ingestAlerts(handler, payload, allowed);
      for (const k of ['new', 'unchanged', 'resolved', 'rejected'] as const) {
        if (counts[k]) metrics.alerts.inc({ result: k }, counts[k]);
      }
      return reply.status(202).send({
        ...counts,
        groupKey: payload.groupKey ?? null,
        receiver: payload.receiver ?? null,
        truncatedAlerts: payload.truncatedAlerts,
      });
    },
  );
}
