import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readdirSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../src/http/app.js';
import { labelsFingerprint } from '../src/ingest/alertmanager-payload.js';
import { startProjectors } from '../src/runtime/projectors.js';
import type { ProjectorRunner } from '../src/projections/engine/runner.js';
import { testContext } from './support/context.js';
import { alertmanagerFixtures } from './fixtures.js';

// Alerts a broken or hostile sender can post, each through the real webhook, JetStream and the
// Postgres read model: every one gets a clear answer, and a normal alert is still seen after it.

type Ctx = Awaited<ReturnType<typeof testContext>>;
const here = dirname(fileURLToPath(import.meta.url));
let seq = 0;

/** A firing alert in Alertmanager's shape, started a minute ago, with a pod of its own. */
function alert(over: Record<string, unknown> = {}, labels: Record<string, string> = {}) {
  const base = alertmanagerFixtures()[0]!.body.alerts[0]!;
  const l = { ...(base.labels as Record<string, string>), pod: `hostile-${Date.now()}-${seq++}`, ...labels };
  return {
    ...base,
    labels: l,
    fingerprint: labelsFingerprint(l),
    startsAt: new Date(Date.now() - 60_000).toISOString(),
    ...over,
  };
}
const group = (alerts: unknown[], over: Record<string, unknown> = {}) => ({
  ...alertmanagerFixtures()[0]!.body,
  alerts,
  ...over,
});

describe('hostile alerts at ingest', () => {
  let ctx: Ctx;
  let app: FastifyInstance;
  let runners: ProjectorRunner[];
  const post = (body: unknown) =>
    app.inject({
      method: 'POST',
      url: '/alerts',
      payload: JSON.stringify(body),
      headers: { 'content-type': 'application/json' },
    });
  const caught = async () => runners[0]!.waitFor(await ctx.store.headSeq(), 15_000);
  const caseOf = async (id: string) => (await app.inject(`/api/cases/${id}`)).json();
  /** A normal alert after the hostile one is stored and reaches the read model. */
  const normalStillWorks = async () => {
    const a = alert();
    expect((await post(group([a]))).json()).toMatchObject({ new: 1 });
    await caught();
    expect((await caseOf(a.fingerprint)).case).toMatchObject({ status: 'firing' });
  };

  beforeAll(async () => {
    ctx = await testContext({ ALERT_MAX_CLOCK_SKEW: '5m' });
    app = buildApp(ctx);
    runners = startProjectors(ctx);
  });
  afterAll(async () => {
    await Promise.all(runners.map((r) => r.stop()));
    await app.close();
    await ctx.dispose();
  });

  it('computes Alertmanager’s own fingerprint for every captured real payload', () => {
    const dirs = [
      join(here, 'fixtures', 'alertmanager'),
      join(here, '..', '..', 'shared', 'fixtures', 'alertmanager'),
    ];
    let checked = 0;
    for (const dir of dirs.filter((d) => existsSync(d))) {
      for (const f of readdirSync(dir).filter((n) => n.endsWith('.json'))) {
        for (const a of JSON.parse(readFileSync(join(dir, f), 'utf8')).alerts) {
          expect(labelsFingerprint(a.labels), `${dir}/${f}`).toBe(a.fingerprint);
          checked++;
        }
      }
    }
    expect(checked).toBeGreaterThanOrEqual(7);
  });

  it('stores NUL and unpaired surrogates as U+FFFD, says which fields changed, and the read model keeps going', async () => {
    const a = alert(
      {
        annotations: { 'sum\u0000mary': 'bad \ud800 text', description: 'nul \u0000 here' },
        generatorURL: 'http://p/\u0000',
      },
      { container: 'api\u0000x', team: 'pay\udc00ments' },
    );
    const res = await post(group([a], { receiver: 'r\u0000', groupKey: '{}:{a="\ud83d"}' }));
    expect(res.statusCode, res.body).toBe(202);
    const body = res.json();
    expect(body).toMatchObject({ new: 1, rejected: 0, receiver: 'r\ufffd' });
    const said = body.warnings.join('\n');
    for (const field of [
      'alerts[0].labels.container',
      'alerts[0].labels.team',
      'alerts[0].annotations["sum\\u0000mary"]',
      'alerts[0].annotations.description',
      'alerts[0].generatorURL',
      'receiver',
      'groupKey',
    ])
      expect(said).toContain(field);
    // Identity follows the labels as sent, as Alertmanager computes it.
    await caught();
    const c = (await caseOf(a.fingerprint)).case;
    expect(c.labels).toMatchObject({ container: 'api\ufffdx', team: 'pay\ufffdments' });
    expect(c.annotations).toMatchObject({ 'sum\ufffdmary': 'bad \ufffd text' });
    await normalStillWorks();
  });

  it('refuses a startsAt beyond ALERT_MAX_CLOCK_SKEW with 400 naming it, and stores nothing', async () => {
    const head = await ctx.store.headSeq();
    const future = await post(group([alert({ startsAt: new Date(Date.now() + 3_600_000).toISOString() })]));
    expect(future.statusCode).toBe(400);
    expect(future.json().code).toBe('TARKA_WEBHOOK_BAD_PAYLOAD');
    expect(future.json().message).toMatch(
      /alerts\[0\]\.startsAt: .* ahead of Tarka's clock.*ALERT_MAX_CLOCK_SKEW/,
    );
    const ancient = await post(group([alert({ startsAt: '1970-01-01T00:00:00Z' })]));
    expect(ancient.statusCode).toBe(400);
    expect(ancient.json().message).toMatch(/alerts\[0\]\.startsAt: .*before 2015/);
    expect(await ctx.store.headSeq()).toBe(head);
    // A little skew, and an alert firing for months, are normal.
    expect(
      (await post(group([alert({ startsAt: new Date(Date.now() + 120_000).toISOString() })]))).json(),
    ).toMatchObject({ new: 1 });
    expect(
      (await post(group([alert({ startsAt: new Date(Date.now() - 90 * 86_400_000).toISOString() })]))).json(),
    ).toMatchObject({ new: 1 });
  });

  it('refuses a bad alert on its own so the rest of its group is still stored', async () => {
    const good = alert();
    const res = await post(group([good, alert({ startsAt: '2999-01-01T00:00:00Z' })]));
    expect(res.statusCode).toBe(202);
    expect(res.json()).toMatchObject({ received: 2, new: 1, rejected: 1 });
    expect(res.json().problems.join()).toMatch(/alerts\[1\]\.startsAt/);
    await caught();
    expect((await caseOf(good.fingerprint)).case.status).toBe('firing');
  });

  it('takes the next real firing of a case whose log holds a forged future start', async () => {
    const a = alert();
    // Written the way a Tarka without the clock check stored it: an episode starting next year.
    const forged = {
      ...a,
      startsAt: new Date(Date.now() + 365 * 86_400_000).toISOString(),
      endsAt: null,
      generatorURL: null,
    };
    await ctx.handler.handle(
      a.fingerprint,
      {
        type: 'ReceiveAlert',
        alert: { ...forged, status: 'firing', annotations: {} },
        notification: { receiver: null, groupKey: null, truncatedAlerts: 0, reason: null },
        investigationId: 'forged',
      },
      `forged:${a.fingerprint}`,
    );
    const res = await post(group([a]));
    expect(res.json()).toMatchObject({ new: 1, unchanged: 0 });
    await caught();
    const detail = await caseOf(a.fingerprint);
    expect(detail.case).toMatchObject({ episodeCount: 2, episodeStartedAt: expect.any(String) });
    expect(Date.parse(detail.case.episodeStartedAt)).toBe(Date.parse(a.startsAt));
    // And its resends are resends again.
    expect((await post(group([a]))).json()).toMatchObject({ new: 0, unchanged: 1 });
  });

  it('files an alert under its labels’ fingerprint whatever fingerprint the sender claims', async () => {
    const victim = alert();
    await post(group([victim]));
    await caught();
    const before = (await ctx.store.readAggregate(`case.${victim.fingerprint}`)).version;
    // Other labels, claiming the victim's case, and a later start that would open a new episode there.
    const forger = alert(
      { fingerprint: victim.fingerprint, startsAt: new Date().toISOString() },
      { alertname: 'Forged' },
    );
    const res = await post(group([forger]));
    expect(res.statusCode).toBe(202);
    expect(res.json().warnings.join()).toMatch(/alerts\[0\]\.fingerprint: .* does not match/);
    expect((await ctx.store.readAggregate(`case.${victim.fingerprint}`)).version).toBe(before);
    const real = labelsFingerprint(forger.labels);
    await caught();
    expect((await caseOf(real)).case).toMatchObject({ alertname: 'Forged' });
  });

  it('answers 413 naming the field for labels too large to store, never 503', async () => {
    const many = Object.fromEntries(Array.from({ length: 10_000 }, (_, i) => [`l${i}`, 'v']));
    const tooMany = await post(group([alert({}, many)]));
    expect(tooMany.statusCode).toBe(413);
    expect(tooMany.json()).toMatchObject({ code: 'TARKA_WEBHOOK_TOO_LARGE' });
    expect(tooMany.json().message).toMatch(/alerts\[0\]\.labels: 10\d\d\d labels.*ALERT_MAX_LABELS/);
    const huge = await post(group([alert({}, { big: 'x'.repeat(1024 * 1024) })]));
    expect(huge.statusCode).toBe(413);
    expect(huge.json().message).toMatch(/alerts\[0\]\.labels\.big: .*ALERT_MAX_LABEL_VALUE_BYTES/);
    await normalStillWorks();
  });

  it('cuts oversized annotations with a visible marker and stores the alert (not 503)', async () => {
    const annotations = Object.fromEntries(
      Array.from({ length: 40 }, (_, i) => [`note${i}`, `${i}:`.padEnd(30_000, 'y')]),
    );
    annotations.description = 'z'.repeat(1024 * 1024);
    const a = alert({ annotations });
    const res = await post(group([a]));
    expect(res.statusCode, res.body).toBe(202);
    expect(res.json().warnings.join()).toMatch(/alerts\[0\]\.annotations\.description: cut/);
    await caught();
    const stored = (await caseOf(a.fingerprint)).case.annotations;
    expect(stored.description).toMatch(/…\[truncated \d+ bytes\]$/);
    expect(Object.keys(stored)).toHaveLength(41);
  });

  it('keeps prototype names as ordinary label names, and the inbox search takes them (no 500)', async () => {
    const raw = `{"version":"4","status":"firing","receiver":"r","groupKey":"g","truncatedAlerts":0,"alerts":[{"status":"firing","labels":{"alertname":"ProtoNames","__proto__":"p","constructor":"c1","hasOwnProperty":"h","toString":"t"},"annotations":{"__proto__":"a"},"startsAt":"${new Date(Date.now() - 60_000).toISOString()}"}]}`;
    const res = await app.inject({
      method: 'POST',
      url: '/alerts',
      payload: raw,
      headers: { 'content-type': 'application/json' },
    });
    expect(res.statusCode, res.body).toBe(202);
    const id = labelsFingerprint(
      JSON.parse(raw).alerts[0].labels, // JSON.parse keeps "__proto__" as an own name
    );
    await caught();
    expect((await caseOf(id)).case).toMatchObject({ alertname: 'ProtoNames' });
    for (const q of [
      'hasOwnProperty:x',
      'constructor:',
      '__proto__:x',
      'toString:x valueOf:y',
      'constructor:x',
    ]) {
      const r = await app.inject(`/api/cases?q=${encodeURIComponent(q)}`);
      expect(r.statusCode, `${q}: ${r.body}`).toBe(200);
      expect(r.json().cases).toEqual([]);
    }
    const found = (
      await app.inject(`/api/cases?q=${encodeURIComponent('constructor:c1 hasOwnProperty:h')}`)
    ).json();
    expect(found.cases.map((c: { caseId: string }) => c.caseId)).toEqual([id]);
  });

  it('answers every payload of a hostile corpus clearly (202, 400 or 413, never 5xx), then a normal alert still works', async () => {
    const name = (n: string, v = 'x') => alert({}, { [n]: v });
    const corpus: [string, unknown][] = [
      ['NUL in a label name', group([name('a\u0000b')])],
      ['lone surrogate in a label name', group([name('a\ud800')])],
      ['two names equal once made storable', group([alert({}, { 'a\u0000': '1', 'a\ufffd': '2' })])],
      ['1 MB label name', group([name('n'.repeat(1024 * 1024))])],
      ['label value not a string', group([{ ...alert(), labels: { alertname: 'X', n: 5 } }])],
      ['no alertname', group([{ ...alert(), labels: { pod: 'p' } }])],
      ['fingerprint with subject characters', group([alert({ fingerprint: 'a.*> b' })])],
      [
        'injection strings',
        group([alert({}, { q: "'; DROP TABLE cases; --", h: '<script>alert(1)</script>' })]),
      ],
      ['path traversal', group([alert({}, { alertname: '../../etc/passwd', namespace: '..\\..\\x' })])],
      ['year 9999', group([alert({ startsAt: '9999-12-31T23:59:59Z' })])],
      ['year 0001', group([alert({ startsAt: '0001-01-01T00:00:00Z' })])],
      ['huge group key', group([alert()], { groupKey: 'g'.repeat(2 * 1024 * 1024) })],
      ['labels not an object', group([{ ...alert(), labels: ['alertname'] }])],
      ['alerts not a list', group([], { alerts: { 0: alert() } })],
    ];
    for (const [what, body] of corpus) {
      const res = await post(body);
      expect([202, 400, 413], `${what}: ${res.statusCode} ${res.body.slice(0, 300)}`).toContain(
        res.statusCode,
      );
      if (res.statusCode !== 202) expect(res.json().message, what).toMatch(/alerts|groupKey|body/);
      expect(res.body.length, what).toBeLessThan(8192);
    }
    await caught();
    await normalStillWorks();
  });
});
