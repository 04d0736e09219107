import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../src/http/app.js';
import { labelsFingerprint } from '../src/ingest/alertmanager-payload.js';
import { startProjectors } from '../src/runtime/projectors.js';
import type { ProjectorRunner } from '../src/projections/engine/runner.js';
import { testContext } from './support/context.js';
import { alertmanagerFixtures } from './fixtures.js';

type Ctx = Awaited<ReturnType<typeof testContext>>;

describe('POST /alerts → cases', () => {
  let ctx: Ctx;
  let app: FastifyInstance;
  let runners: ProjectorRunner[];
  const fixtures = alertmanagerFixtures();
  const post = (body: unknown, headers: Record<string, string> = {}) =>
    app.inject({
      method: 'POST',
      url: '/alerts',
      payload: typeof body === 'string' ? body : JSON.stringify(body),
      headers: { 'content-type': 'application/json', ...headers },
    });
  const caught = async () => runners[0]!.waitFor(await ctx.store.headSeq());

  beforeAll(async () => {
    ctx = await testContext({ ALERTNAME_ALLOWLIST: '', WEBHOOK_BODY_LIMIT_BYTES: String(64 * 1024) });
    app = buildApp(ctx);
    runners = startProjectors(ctx);
  });
  afterAll(async () => {
    await Promise.all(runners.map((r) => r.stop()));
    await app.close();
    await ctx.dispose();
  });

  it('turns every fixture alert into a case, each judged by its own status', async () => {
    const totals = { received: 0, new: 0, unchanged: 0, resolved: 0, rejected: 0 };
    for (const f of fixtures) {
      const res = await post(f.body);
      expect(res.statusCode, f.name).toBe(202);
      const body = res.json();
      for (const k of Object.keys(totals) as (keyof typeof totals)[]) totals[k] += body[k];
      expect(body.groupKey).toBe(f.body.groupKey);
    }
    const fingerprints = new Set(fixtures.flatMap((f) => f.body.alerts.map((a) => a.fingerprint as string)));
    expect(totals.received).toBe(fixtures.reduce((n, f) => n + f.body.alerts.length, 0));
    expect(totals.rejected).toBe(0);
    await caught();
    const res = await app.inject('/api/cases?limit=500');
    expect(res.statusCode, res.body).toBe(200);
    const list = res.json();
    expect(new Set(list.cases.map((c: { caseId: string }) => c.caseId))).toEqual(fingerprints);
    // The group in 12-… is "firing" but its first alert is resolved: that case must say resolved.
    const mixed = fixtures.find((f) => f.name.startsWith('12-'))!.body.alerts;
    const byId = new Map(list.cases.map((c: { caseId: string }) => [c.caseId, c]));
    for (const a of mixed) expect(byId.get(a.fingerprint as string)).toMatchObject({ status: a.status });
    const crash = byId.get(mixed[1]!.fingerprint as string) as Record<string, unknown>;
    expect(crash).toMatchObject({
      alertname: 'KubePodCrashLooping',
      severity: 'warning',
      cluster: 'prod-eu-1',
      namespace: 'payments',
      episodeCount: 1,
      investigationState: 'queued',
    });
  });

  it('changes nothing when the same notifications arrive again (resends, HA pairs)', async () => {
    await caught();
    const head = await ctx.store.headSeq();
    const before = (await app.inject('/api/cases?limit=500')).json();
    for (const f of fixtures) {
      const body = (await post(f.body)).json();
      expect(body.new + body.resolved, f.name).toBe(0);
      expect(body.unchanged).toBe(f.body.alerts.length);
    }
    expect(await ctx.store.headSeq()).toBe(head);
    expect((await app.inject('/api/cases?limit=500')).json()).toEqual(before);
  });

  it('reads a zeroed endsAt as unset and derives a missing fingerprint like Alertmanager does', async () => {
    const f = fixtures[0]!.body;
    const a = { ...f.alerts[0]!, labels: { ...(f.alerts[0]!.labels as object), pod: 'derived-1' } } as Record<
      string,
      unknown
    >;
    delete a.fingerprint;
    expect(labelsFingerprint(f.alerts[0]!.labels as Record<string, string>)).toBe(f.alerts[0]!.fingerprint);
    const res = await post({ ...f, alerts: [a] });
    expect(res.json()).toMatchObject({ new: 1 });
    const id = labelsFingerprint(a.labels as Record<string, string>);
    const detail = (await app.inject(`/api/cases/${id}`)).json();
    expect(detail.events.map((e: { type: string }) => e.type)).toEqual([
      'AlertFired',
      'InvestigationRequested',
    ]);
    expect(detail.events[0].data.notification).toMatchObject({
      receiver: f.receiver,
      groupKey: f.groupKey,
      truncatedAlerts: 0,
    });
  });

  it('rejects bad payloads with a message naming the field, and keeps nothing from them', async () => {
    const head = await ctx.store.headSeq();
    const bad = await post('{"version": "4", ');
    expect(bad.statusCode).toBe(400);
    expect(bad.json().code).toBe('TARKA_WEBHOOK_BAD_PAYLOAD');
    const f = fixtures[0]!.body;
    const noStart = await post({ ...f, alerts: [{ ...f.alerts[0], startsAt: 'yesterday' }] });
    expect(noStart.statusCode).toBe(400);
    expect(noStart.json().message).toMatch(/alerts\[0\]\.startsAt/);
    const v3 = await post({ ...f, version: '3' });
    expect(v3.json().message).toMatch(/version/);
    const badFp = await post({ ...f, alerts: [{ ...f.alerts[0], fingerprint: 'a.b>c' }] });
    expect(badFp.json().message).toMatch(/alerts\[0\]\.fingerprint/);
    expect(await ctx.store.headSeq()).toBe(head);
  });

  it('answers 413 above the body limit', async () => {
    const f = fixtures[0]!.body;
    const huge = {
      ...f,
      alerts: Array.from({ length: 200 }, (_, i) => ({ ...f.alerts[0], fingerprint: `big${i}` })),
    };
    const res = await post(huge);
    expect(res.statusCode).toBe(413);
    expect(res.json()).toMatchObject({ code: 'TARKA_WEBHOOK_TOO_LARGE' });
    expect(res.json().hint).toMatch(/WEBHOOK_BODY_LIMIT_BYTES/);
  });

  it('filters, searches and pages the case list, newest activity first', async () => {
    await caught();
    const all = (await app.inject('/api/cases?limit=500')).json();
    const times = all.cases.map((c: { lastActivityAt: string }) => c.lastActivityAt);
    expect([...times].sort().reverse()).toEqual(times);
    const resolved = (await app.inject('/api/cases?status=resolved')).json();
    expect(resolved.cases.length).toBeGreaterThan(0);
    expect(resolved.cases.every((c: { status: string }) => c.status === 'resolved')).toBe(true);
    const ns = (await app.inject('/api/cases?namespace=payments')).json();
    expect(ns.cases.every((c: { namespace: string }) => c.namespace === 'payments')).toBe(true);
    const text = (await app.inject('/api/cases?q=' + encodeURIComponent('5xx'))).json();
    expect(text.cases.length).toBeGreaterThan(0);
    expect(text.cases.every((c: { alertname: string }) => /5xx/i.test(c.alertname))).toBe(true);
    const page1 = (await app.inject('/api/cases?limit=2&offset=0')).json();
    const page2 = (await app.inject('/api/cases?limit=2&offset=2')).json();
    expect(page1.total).toBe(all.total);
    expect(page1.cases.concat(page2.cases).map((c: { caseId: string }) => c.caseId)).toEqual(
      all.cases.slice(0, 4).map((c: { caseId: string }) => c.caseId),
    );
    expect((await app.inject('/api/cases?limit=9999')).statusCode).toBe(400);
    expect((await app.inject('/api/cases/does-not-exist')).statusCode).toBe(404);
  });

  it('exports webhook, alert, append and projector metrics', async () => {
    const text = (await app.inject('/metrics')).body;
    expect(text).toMatch(/tarka_webhook_requests_total\{outcome="accepted"\} \d+/);
    expect(text).toMatch(/tarka_webhook_requests_total\{outcome="bad_request"\} \d+/);
    expect(text).toMatch(/tarka_webhook_requests_total\{outcome="too_large"\} 1/);
    expect(text).toMatch(/tarka_alerts_total\{result="unchanged"\} \d+/);
    expect(text).toMatch(/tarka_event_append_duration_seconds_bucket/);
    expect(text).toMatch(/tarka_projector_lag_events\{projector="cases"\} \d+/);
    expect(text).toMatch(/tarka_process_resident_memory_bytes/);
    expect((await app.inject('/ready')).json()).toMatchObject({
      status: 'ready',
      nats: 'ok',
      postgres: 'ok',
    });
  });
});

describe('webhook options', () => {
  let ctx: Ctx;
  let app: FastifyInstance;
  const token = 'a-long-enough-token-123';
  beforeAll(async () => {
    ctx = await testContext({
      WEBHOOK_BEARER_TOKEN: token,
      WEBHOOK_BASIC_USER: 'am',
      WEBHOOK_BASIC_PASSWORD: 'secret-pass',
      ALERTNAME_ALLOWLIST: 'KubePodCrashLooping',
    });
    app = buildApp(ctx);
  });
  afterAll(async () => {
    await app.close();
    await ctx.dispose();
  });
  const body = () => JSON.stringify(alertmanagerFixtures().find((f) => f.name.startsWith('12-'))!.body);
  const send = (headers: Record<string, string>, payload = body()) =>
    app.inject({
      method: 'POST',
      url: '/alerts',
      payload,
      headers: { 'content-type': 'application/json', ...headers },
    });

  it('asks for credentials the way Alertmanager http_config sends them', async () => {
    expect((await send({})).statusCode).toBe(401);
    expect((await send({ authorization: 'Bearer wrong-token-wrong-token' })).statusCode).toBe(401);
    expect((await send({ authorization: `Bearer ${token}` })).statusCode).toBe(202);
    const basic = Buffer.from('am:secret-pass').toString('base64');
    expect((await send({ authorization: `Basic ${basic}` })).statusCode).toBe(202);
    const wrong = Buffer.from('am:nope').toString('base64');
    expect((await send({ authorization: `Basic ${wrong}` })).statusCode).toBe(401);
  });

  it('counts alerts outside ALERTNAME_ALLOWLIST as rejected and stores nothing for them', async () => {
    const f = alertmanagerFixtures().find((x) => x.name.startsWith('07-'))!.body;
    const res = await send({ authorization: `Bearer ${token}` }, JSON.stringify(f));
    expect(res.json()).toMatchObject({ received: 1, rejected: 1, new: 0 });
  });
});

describe('case actions', () => {
  let ctx: Ctx;
  let app: FastifyInstance;
  beforeAll(async () => {
    ctx = await testContext();
    app = buildApp(ctx);
    await app.inject({ method: 'POST', url: '/alerts', payload: alertmanagerFixtures()[0]!.body });
  });
  afterAll(async () => {
    await app.close();
    await ctx.dispose();
  });
  const id = () => alertmanagerFixtures()[0]!.body.alerts[0]!.fingerprint as string;
  const act = (action: string, payload: unknown = {}, headers: Record<string, string> = {}) =>
    app.inject({ method: 'POST', url: `/api/cases/${id()}/${action}`, payload: payload as object, headers });
  // No worker runs here: finish the open investigation as one would, since a rerun waits for it.
  const finishOpen = async () => {
    const { events } = await ctx.store.readAggregate(`case.${id()}`);
    const done = new Set(
      events
        .filter((e) => e.type === 'InvestigationCompleted')
        .map((e) => (e.data as { investigationId: string }).investigationId),
    );
    for (const e of events.filter((x) => x.type === 'InvestigationRequested')) {
      const { investigationId, anchor } = e.data as { investigationId: string; anchor: string };
      if (done.has(investigationId)) continue;
      await ctx.handler.handle(
        id(),
        { type: 'CompleteInvestigation', investigationId, anchor, report: {} },
        `test-complete:${investigationId}`,
      );
    }
  };

  it('snoozes, closes, reopens and reruns a case, each as an event in its history', async () => {
    await finishOpen();
    expect((await act('snooze', { duration: '2h', note: 'deploy in progress' })).statusCode).toBe(202);
    expect((await act('snooze', { duration: 'soon' })).statusCode).toBe(400);
    expect((await act('resolve', { category: 'fixed', note: 'rolled back' })).statusCode).toBe(202);
    expect((await act('resolve', { category: 'fixed' })).json().changed).toBe(false);
    expect((await act('reopen')).statusCode).toBe(202);
    expect((await act('rerun')).statusCode).toBe(202);
    const events = (await app.inject(`/api/cases/${id()}`))
      .json()
      .events.map((e: { type: string }) => e.type);
    expect(events).toEqual([
      'AlertFired',
      'InvestigationRequested',
      'InvestigationCompleted',
      'CaseSnoozed',
      'CaseResolved',
      'CaseReopened',
      'InvestigationRequested',
    ]);
  });

  it('does a retried click once when it carries an Idempotency-Key', async () => {
    const key = { 'idempotency-key': 'click-0123456789' };
    await finishOpen();
    const first = await act('rerun', {}, key);
    const again = await act('rerun', {}, key);
    expect(first.json().changed).toBe(true);
    expect(again.json()).toMatchObject({ changed: false, version: first.json().version });
  });

  it('answers 404 for actions on unknown cases', async () => {
    expect(
      (await app.inject({ method: 'POST', url: '/api/cases/nope/reopen', payload: {} })).statusCode,
    ).toBe(404);
  });
});

describe('AUTH_MODE=proxy', () => {
  let ctx: Ctx;
  let app: FastifyInstance;
  // The proxy proves itself with the shared secret; identity headers without it are ignored.
  const proxySecret = 'proxy-secret-0123456789';
  const signedIn = (email: string) => ({ 'x-forwarded-email': email, 'x-tarka-proxy-secret': proxySecret });
  beforeAll(async () => {
    ctx = await testContext({
      AUTH_MODE: 'proxy',
      AUTH_PROXY_SECRET: proxySecret,
      AUTH_ALLOWED_DOMAINS: 'example.com',
    });
    app = buildApp(ctx);
  });
  afterAll(async () => {
    await app.close();
    await ctx.dispose();
  });

  it('serves the API only to people the proxy signed in, from allowed domains, and names them on actions', async () => {
    expect((await app.inject('/api/cases')).statusCode).toBe(401);
    expect(
      (await app.inject({ url: '/api/cases', headers: { 'x-forwarded-email': 'ana@example.com' } }))
        .statusCode,
    ).toBe(401);
    expect((await app.inject({ url: '/api/cases', headers: signedIn('eve@evil.test') })).statusCode).toBe(
      403,
    );
    expect((await app.inject({ url: '/api/cases', headers: signedIn('ana@example.com') })).statusCode).toBe(
      200,
    );
    // Alertmanager and probes are not behind the SSO proxy.
    expect(
      (await app.inject({ method: 'POST', url: '/alerts', payload: alertmanagerFixtures()[0]!.body }))
        .statusCode,
    ).toBe(202);
    expect((await app.inject('/health')).statusCode).toBe(200);
    const id = alertmanagerFixtures()[0]!.body.alerts[0]!.fingerprint as string;
    await app.inject({
      method: 'POST',
      url: `/api/cases/${id}/resolve`,
      payload: { category: 'fixed' },
      headers: signedIn('ana@example.com'),
    });
    const events = (
      await app.inject({ url: `/api/cases/${id}`, headers: signedIn('ana@example.com') })
    ).json().events;
    expect(events.at(-1)).toMatchObject({ type: 'CaseResolved', data: { by: 'ana@example.com' } });
  });
});
