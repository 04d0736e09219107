import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CaseCommandHandler } from '../src/commands/case/handler.js';
import type { EventStore } from '../src/events/event-store.js';
import { buildApp } from '../src/http/app.js';
import { labelsFingerprint, payloadSchema } from '../src/ingest/alertmanager-payload.js';
import { ingestAlerts } from '../src/ingest/ingest-alerts.js';
import { testContext } from './support/context.js';
import { alertmanagerFixtures } from './fixtures.js';

// Appends are bounded: per request (WEBHOOK_ALERT_CONCURRENCY) and across requests
// (WEBHOOK_MAX_INFLIGHT_ALERTS, over which the answer is 503 with Retry-After, which Alertmanager retries).

type Ctx = Awaited<ReturnType<typeof testContext>>;
let n = 0;

function groupOf(size: number) {
  const base = alertmanagerFixtures()[0]!.body;
  const alerts = Array.from({ length: size }, () => {
    const labels = {
      ...(base.alerts[0]!.labels as Record<string, string>),
      pod: `limits-${Date.now()}-${n++}`,
    };
    return {
      ...base.alerts[0],
      labels,
      fingerprint: labelsFingerprint(labels),
      startsAt: new Date(Date.now() - 60_000).toISOString(),
    };
  });
  return { ...base, alerts };
}

/** The real store, with every append held until `release` and the most appends pending at once recorded. */
function gatedStore(inner: EventStore) {
  let pending = 0;
  let open: () => void = () => undefined;
  let gate: Promise<void> | null = null;
  const stats = { peak: 0, started: 0 };
  const store: EventStore = {
    append: async (...args) => {
      pending++;
      stats.started++;
      stats.peak = Math.max(stats.peak, pending);
      try {
        if (gate) await gate;
        else await new Promise((r) => setTimeout(r, 5)); // let appends overlap when they can
        return await inner.append(...args);
      } finally {
        pending--;
      }
    },
    readAggregate: (a) => inner.readAggregate(a),
    headSeq: () => inner.headSeq(),
    subscribe: (o) => inner.subscribe(o),
    close: () => inner.close(),
  };
  return {
    store,
    stats,
    hold: () => {
      gate = new Promise((r) => (open = r));
    },
    release: () => {
      gate = null;
      open();
    },
  };
}

describe('ingest concurrency bounds', () => {
  let ctx: Ctx;
  beforeAll(async () => {
    ctx = await testContext({ WEBHOOK_ALERT_CONCURRENCY: '4', WEBHOOK_MAX_INFLIGHT_ALERTS: '3' });
  });
  afterAll(async () => {
    await ctx.dispose();
  });

  it('appends at most WEBHOOK_ALERT_CONCURRENCY alerts of one request at once', async () => {
    const gated = gatedStore(ctx.store);
    const handler = new CaseCommandHandler(gated.store);
    const payload = payloadSchema.parse(groupOf(40));
    const res = await ingestAlerts(handler, payload, {
      allowed: null,
      concurrency: 4,
      limits: {
        maxLabels: 128,
        maxLabelNameBytes: 1024,
        maxLabelValueBytes: 8192,
        maxAnnotationValueBytes: 32_768,
        clockSkewMs: 300_000,
        maxMessageBytes: 1024 * 1024,
      },
    });
    expect(res).toMatchObject({ received: 40, new: 40 });
    expect(gated.stats.peak).toBeLessThanOrEqual(4);
    expect(gated.stats.peak).toBeGreaterThan(1);
  });

  it('reports an alert JetStream still refuses for its size as a payload problem (413), not an outage', async () => {
    const payload = payloadSchema.parse(groupOf(1));
    payload.alerts[0]!.annotations = { description: 'd'.repeat(2 * 1024 * 1024) };
    const attempt = ingestAlerts(ctx.handler, payload, {
      allowed: null,
      concurrency: 4,
      // Limits that believe the server takes more than it does.
      limits: {
        maxLabels: 128,
        maxLabelNameBytes: 1024,
        maxLabelValueBytes: 8192,
        maxAnnotationValueBytes: 4 * 1024 * 1024,
        clockSkewMs: 300_000,
        maxMessageBytes: 64 * 1024 * 1024,
      },
    });
    await expect(attempt).rejects.toMatchObject({
      code: 'TARKA_WEBHOOK_TOO_LARGE',
      message: expect.stringMatching(/alerts\[0\]: larger than one JetStream message/),
    });
  });

  it('answers 503 with Retry-After while WEBHOOK_MAX_INFLIGHT_ALERTS alerts are being stored, then takes them', async () => {
    const gated = gatedStore(ctx.store);
    const app = buildApp({ ...ctx, handler: new CaseCommandHandler(gated.store) });
    try {
      const post = (body: unknown) => app.inject({ method: 'POST', url: '/alerts', payload: body as object });
      gated.hold();
      const first = post(groupOf(2));
      // The first request's alerts are in flight once its appends have started.
      while (gated.stats.started < 2) await new Promise((r) => setImmediate(r));
      const second = groupOf(2);
      const busy = await post(second);
      expect(busy.statusCode).toBe(503);
      expect(busy.headers['retry-after']).toBeDefined();
      expect(busy.json()).toMatchObject({ code: 'TARKA_WEBHOOK_OVERLOADED' });
      expect(busy.json().message).toMatch(/WEBHOOK_MAX_INFLIGHT_ALERTS/);
      const metrics = (await app.inject('/metrics')).body;
      expect(metrics).toMatch(/tarka_webhook_alerts_in_flight 2/);
      gated.release();
      expect((await first).json()).toMatchObject({ new: 2 });
      // Alertmanager's retry goes through once the first group is stored.
      expect((await post(second)).json()).toMatchObject({ new: 2 });
    } finally {
      gated.release();
      await app.close();
    }
  });
});
