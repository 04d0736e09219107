import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { EventStore, SubscribeOptions } from '../events/event-store.js';
import { VersionConflict } from '../shared/errors.js';

export type Metrics = ReturnType<typeof createMetrics>;

/** Every metric Tarka exports, on a registry of its own (tests build several apps in one process). */
export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'tarka_' });
  return {
    registry,
    webhookRequests: new Counter({
      name: 'tarka_webhook_requests_total',
      help: 'Alertmanager webhook requests by outcome',
      labelNames: ['outcome'] as const,
      registers: [registry],
    }),
    alerts: new Counter({
      name: 'tarka_alerts_total',
      help: 'Alerts received, by result (new, unchanged, resolved, rejected)',
      labelNames: ['result'] as const,
      registers: [registry],
    }),
    webhookAlertsInFlight: new Gauge({
      name: 'tarka_webhook_alerts_in_flight',
      help: 'Alerts received and not yet acknowledged by JetStream (bounded by WEBHOOK_MAX_INFLIGHT_ALERTS)',
      registers: [registry],
    }),
    alertFieldsChanged: new Counter({
      name: 'tarka_alert_fields_changed_total',
      help: 'Alert fields stored changed: text made storable, annotations cut, a wrong fingerprint replaced',
      registers: [registry],
    }),
    truncatedAlerts: new Counter({
      name: 'tarka_webhook_truncated_alerts_total',
      help: 'Alerts Alertmanager dropped from groups before sending (max_alerts)',
      registers: [registry],
    }),
    appendSeconds: new Histogram({
      name: 'tarka_event_append_duration_seconds',
      help: 'Time to append one decision to JetStream, until acknowledged',
      labelNames: ['result'] as const,
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5],
      registers: [registry],
    }),
    projectorLagEvents: new Gauge({
      name: 'tarka_projector_lag_events',
      help: 'Messages in the event stream not yet applied by the projector',
      labelNames: ['projector'] as const,
      registers: [registry],
    }),
    projectorLagSeconds: new Gauge({
      name: 'tarka_projector_lag_seconds',
      help: 'Age of the newest applied event while the projector is behind (0 when caught up)',
      labelNames: ['projector'] as const,
      registers: [registry],
    }),
    projectorSetAside: new Counter({
      name: 'tarka_projector_events_set_aside_total',
      help: 'Stream messages a projector in this process could not apply and set aside',
      labelNames: ['projector'] as const,
      registers: [registry],
    }),
    projectorSetAsideNow: new Gauge({
      name: 'tarka_projector_set_aside_events',
      help: 'Messages currently set aside by each projector (active generation; see `tarka parked list`)',
      labelNames: ['projector'] as const,
      registers: [registry],
    }),
  };
}

/** An EventStore whose appends are timed; everything else passes through. */
export class InstrumentedStore implements EventStore {
  constructor(
    private readonly inner: EventStore,
    private readonly metrics: Metrics,
  ) {}

  async append(...args: Parameters<EventStore['append']>) {
    const end = this.metrics.appendSeconds.startTimer();
    try {
      const r = await this.inner.append(...args);
      end({ result: r.duplicate ? 'duplicate' : 'ok' });
      return r;
    } catch (e) {
      end({ result: e instanceof VersionConflict ? 'conflict' : 'error' });
      throw e;
    }
  }

  readAggregate(aggregate: string) {
    return this.inner.readAggregate(aggregate);
  }
  headSeq() {
    return this.inner.headSeq();
  }
  subscribe(options: SubscribeOptions) {
    return this.inner.subscribe(options);
  }
  close() {
    return this.inner.close();
  }
}
