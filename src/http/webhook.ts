import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyPluginAsync, FastifyRequest } from 'fastify';
import type { NatsConnection } from 'nats';
import type { CaseCommandHandler } from '../commands/case/handler.js';
import { describeIssues, payloadSchema } from '../ingest/alertmanager-payload.js';
import { ingestAlerts } from '../ingest/ingest-alerts.js';
import type { AlertLimits } from '../ingest/screen-alert.js';
import { TarkaError } from '../shared/errors.js';
import { durationMs, type Config } from '../shared/config.js';
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

/** NATS's default max_payload, used when the connection has not told us the server's. */
const DEFAULT_MAX_PAYLOAD = 1024 * 1024;

type WebhookDeps = { config: Config; handler: CaseCommandHandler; metrics: Metrics; nc?: NatsConnection };

/**
 * The webhook scope: `POST /alerts` with its own credentials, body limit and JSON parser. Its hooks
 * stay inside it, and the console's browser guards and proxy auth never reach it.
 */
export function webhookScope(deps: WebhookDeps): FastifyPluginAsync {
  const { config, metrics } = deps;
  return async (scope) => {
    // A JSON parser that keeps `__proto__` as a name: Fastify's default refuses such a body as
    // "not valid JSON", yet `__proto__` is a valid label name. Safe here: JSON.parse makes it an
    // own property, and the payload schema copies only the fields it knows, labels and annotations
    // into objects without a prototype.
    scope.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, body, done) => {
      try {
        done(null, JSON.parse(body as string));
      } catch (e) {
        done(
          Object.assign(new Error(`body is not valid JSON: ${(e as Error).message}`), { statusCode: 400 }),
        );
      }
    });
    // Checked before the body is read, so unauthenticated senders cost us nothing.
    scope.addHook('onRequest', async (req, reply) => {
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
    });
    scope.addHook('onResponse', async (_req, reply) => {
      metrics.webhookRequests.inc({ outcome: outcomes[reply.statusCode] ?? 'error' });
    });
    alertsRoute(scope, deps);
  };
}

function alertsRoute(app: FastifyInstance, deps: WebhookDeps) {
  const { config, handler, metrics } = deps;
  const allowed = config.ALERTNAME_ALLOWLIST.length ? new Set(config.ALERTNAME_ALLOWLIST) : null;
  const fixed = {
    maxLabels: config.ALERT_MAX_LABELS,
    maxLabelNameBytes: config.ALERT_MAX_LABEL_NAME_BYTES,
    maxLabelValueBytes: config.ALERT_MAX_LABEL_VALUE_BYTES,
    maxAnnotationValueBytes: config.ALERT_MAX_ANNOTATION_VALUE_BYTES,
    clockSkewMs: durationMs(config.ALERT_MAX_CLOCK_SKEW),
  };
  const limits = (): AlertLimits => ({
    ...fixed,
    // Asked at each request: after a reconnect the server, and its limit, may differ.
    maxMessageBytes: deps.nc?.info?.max_payload ?? DEFAULT_MAX_PAYLOAD,
  });
  // Alerts accepted by this process and not yet acknowledged by JetStream, across requests.
  let inflight = 0;
  // A sender that is wrong every time would write a line per request: one a second is enough to
  // see it (the 202 body tells the sender, and tarka_alert_fields_changed_total counts them all).
  const warnLog = throttle(1000);
  app.post('/alerts', { bodyLimit: config.WEBHOOK_BODY_LIMIT_BYTES }, async (req, reply) => {
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
        { groupKey: payload.groupKey?.slice(0, 200), truncatedAlerts: payload.truncatedAlerts },
        'Alertmanager truncated this group; raise max_alerts to see every alert',
      );
    }
    const n = payload.alerts.length;
    const max = config.WEBHOOK_MAX_INFLIGHT_ALERTS;
    // A request larger than the limit alone still goes through when nothing else is in flight.
    if (inflight > 0 && inflight + n > max) {
      throw new TarkaError(
        'TARKA_WEBHOOK_OVERLOADED',
        `${inflight} alerts are being stored already; ${n} more would pass WEBHOOK_MAX_INFLIGHT_ALERTS (${max})`,
        'Alertmanager retries by itself; raise WEBHOOK_MAX_INFLIGHT_ALERTS or run more webhook replicas',
      );
    }
    inflight += n;
    metrics.webhookAlertsInFlight.set(inflight);
    let result;
    try {
      result = await ingestAlerts(handler, payload, {
        allowed,
        limits: limits(),
        concurrency: config.WEBHOOK_ALERT_CONCURRENCY,
      });
    } catch (e) {
      const code = e instanceof TarkaError ? e.code : null;
      if (code === 'TARKA_WEBHOOK_BAD_PAYLOAD' || code === 'TARKA_WEBHOOK_TOO_LARGE') {
        metrics.alerts.inc({ result: 'rejected' }, n);
        if (warnLog.allow())
          req.log.warn(
            { groupKey: payload.groupKey?.slice(0, 200), problems: (e as Error).message },
            'refused every alert of a notification',
          );
      }
      throw e;
    } finally {
      inflight -= n;
      metrics.webhookAlertsInFlight.set(inflight);
    }
    const { warnings, problems, notification, ...counts } = result;
    for (const k of ['new', 'unchanged', 'resolved', 'rejected'] as const) {
      if (counts[k]) metrics.alerts.inc({ result: k }, counts[k]);
    }
    if (warnings.length) metrics.alertFieldsChanged.inc(warnings.length);
    if ((warnings.length || problems.length) && warnLog.allow()) {
      req.log.warn(
        { groupKey: payload.groupKey?.slice(0, 200), warnings, problems, suppressed: warnLog.suppressed() },
        'stored a notification with changed fields or refused alerts',
      );
    }
    return reply.status(202).send({
      ...counts,
      groupKey: notification.groupKey,
      receiver: notification.receiver,
      warnings,
      problems,
      truncatedAlerts: payload.truncatedAlerts,
    });
  });
}

/** Lets one event through per `ms`; says how many were held back since the last one let through. */
function throttle(ms: number) {
  let last = -Infinity;
  let held = 0;
  let heldBefore = 0;
  return {
    allow: () => {
      const now = Date.now();
      if (now - last < ms) {
        held++;
        return false;
      }
      last = now;
      heldBefore = held;
      held = 0;
      return true;
    },
    suppressed: () => heldBefore,
  };
}
