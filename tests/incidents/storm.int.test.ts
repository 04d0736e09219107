import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { spawn } from 'node:child_process';
import { join, resolve } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/http/app.js';
import { startProjectors } from '../../src/runtime/projectors.js';
import { startWorker } from '../../src/runtime/worker-process.js';
import type { ProjectorRunner } from '../../src/projections/engine/runner.js';
import { createToolkit } from '../../src/investigation/toolkit.js';
import { maxDeliveriesStream } from '../../src/nats/max-deliveries.js';
import { waitFor } from '../../src/events/event-store.contract.js';
import { labelsFingerprint } from '../../src/ingest/alertmanager-payload.js';
import { replayProjection } from '../../src/projections/engine/replay.js';
import { incidentsProjection } from '../../src/projections/incidents/projection.js';
import { IncidentGrouping, failedInLog } from '../../src/incidents/grouping.js';
import { IncidentCommandHandler } from '../../src/commands/incident/handler.js';
import { incidentAggregate } from '../../src/contract/incident-id.js';
import { rolloutStorm, type StormAlert } from '../../src/incidents/storm.js';
import type { IncidentDetail, IncidentView } from '../../src/contract/incidents.js';
import { testContext } from '../support/context.js';
import { envOf } from '../support/process.js';

const root = resolve(import.meta.dirname, '..', '..');

// Alert storms end to end: the real webhook, JetStream, projectors, grouper and worker on Postgres.
type Ctx = Awaited<ReturnType<typeof testContext>>;

describe('an alert storm from one bad rollout', () => {
  let ctx: Ctx;
  let app: FastifyInstance;
  let runners: ProjectorRunner[];
  let stopWorker: () => Promise<void>;
  const run = randomUUID().slice(0, 8);
  const startsAt = new Date(Date.now() - 5_000).toISOString();
  const storm = rolloutStorm({ size: 240, namespace: `shop-${run}`, deployment: 'checkout', startsAt, run });
  const withFp = (a: StormAlert) => ({ ...a, fingerprint: labelsFingerprint(a.labels) });
  const alerts = storm.map(withFp);
  const post = (batch: ReturnType<typeof withFp>[]) =>
    app.inject({
      method: 'POST',
      url: '/alerts',
      payload: { version: '4', status: 'firing', receiver: 'tarka', alerts: batch },
    });
  const list = async (): Promise<IncidentView[]> => {
    const res = await app.inject({ method: 'GET', url: '/api/incidents?minMembers=2' });
    if (res.statusCode !== 200) throw new Error(`GET /api/incidents: ${res.statusCode} ${res.body}`);
    return res.json().incidents;
  };
  const detail = async (id: string): Promise<IncidentDetail> =>
    (await app.inject({ method: 'GET', url: `/api/incidents/${id}` })).json();
  let incidentId = '';
  let visibleMs = 0;

  beforeAll(async () => {
    ctx = await testContext({
      JETSTREAM_ACK_WAIT_SECONDS: '10',
      COLLECTOR_TIMEOUT_SECONDS: '1',
      WORKER_CONCURRENCY: '4',
      INCIDENT_WINDOW_MINUTES: '15',
    });
    app = buildApp(ctx);
    runners = startProjectors(ctx);
    stopWorker = (await startWorker(ctx, createToolkit(ctx.config))).stop;
  });
  afterAll(async () => {
    await stopWorker?.();
    await Promise.all((runners ?? []).map((r) => r.stop()));
    await app?.close();
    const jsm = await ctx.nc.jetstreamManager();
    await jsm.streams.delete(maxDeliveriesStream(ctx.config.JETSTREAM_STREAM)).catch(() => undefined);
    await ctx.dispose();
  });

  it(
    'becomes one incident with every member and its reason, visible within seconds',
    { timeout: 120_000 },
    async () => {
      const t0 = performance.now();
      // Alertmanager sends groups of alerts; here 24 notifications of 10, all at once.
      const res = await Promise.all(
        Array.from({ length: alerts.length / 10 }, (_, g) => post(alerts.slice(g * 10, g * 10 + 10))),
      );
      expect(res.every((r) => r.statusCode === 202)).toBe(true);
      await waitFor(async () => (await list()).some((i) => i.memberCount === alerts.length), 60_000).catch(
        async (e) => {
          const all = (await app.inject({ method: 'GET', url: '/api/incidents' })).json().incidents;
          console.log(JSON.stringify(all.map((i: IncidentView) => [i.keyValue, i.memberCount])));
          const d = await detail(all[0].incidentId);
          const inIt = new Set(d.members.map((m) => m.caseId));
          const missing = alerts.filter((a) => !inIt.has(a.fingerprint));
          console.log('missing', JSON.stringify(missing));
          const { rows } = await ctx.pool.query('SELECT count(*)::int AS n FROM cases');
          console.log('cases', rows[0].n, new Set(alerts.map((a) => a.fingerprint)).size);
          throw e;
        },
      );
      visibleMs = performance.now() - t0;
      const incidents = await list();
      expect(incidents).toHaveLength(1);
      const inc = incidents[0]!;
      incidentId = inc.incidentId;
      expect(inc).toMatchObject({ keyKind: 'rollout', status: 'open', namespace: `shop-${run}` });
      expect(inc.keyValue).toContain('checkout@7c9f8d6b5');
      const d = await detail(inc.incidentId);
      expect(d.members).toHaveLength(alerts.length);
      // The opener's alert across pods reads as "same alert"; the other alerts as "same rollout".
      expect(new Set(d.members.map((m) => m.reasonKind))).toEqual(new Set(['same_alert', 'same_rollout']));
      expect(d.members.every((m) => m.reasonDetail.includes('checkout'))).toBe(true);
      console.log(`storm of ${alerts.length}: incident visible in the API after ${visibleMs.toFixed(0)} ms`);
      expect(visibleMs).toBeLessThan(30_000);
    },
  );

  it(
    'runs one investigation per alert kind; every other member says which one covers it',
    { timeout: 180_000 },
    async () => {
      const done = async () => {
        const { rows } = await ctx.pool.query(
          `SELECT investigation_state AS s, count(*)::int AS n FROM cases WHERE labels->>'run' = $1 GROUP BY 1`,
          [run],
        );
        return Object.fromEntries(rows.map((r) => [r.s, r.n])) as Record<string, number>;
      };
      await waitFor(async () => {
        const s = await done();
        return (s.completed ?? 0) + (s.covered ?? 0) + (s.failed ?? 0) === alerts.length;
      }, 150_000);
      const states = await done();
      const ran = (states.completed ?? 0) + (states.failed ?? 0);
      console.log(`storm of ${alerts.length}: ${ran} investigations run, ${states.covered} covered`, states);
      expect(ran).toBeGreaterThanOrEqual(1);
      expect(ran).toBeLessThanOrEqual(5);
      const d = await detail(incidentId);
      const chosen = Object.values(d.incident.chosen);
      expect(chosen.length).toBe(ran);
      const covered = d.members.find((m) => m.investigationState === 'covered')!;
      expect(covered.summary).toMatch(
        new RegExp(`Covered by incident ${incidentId}'s investigation of case \\S+`),
      );
      const coveringCase = /of case (\S+)$/.exec(covered.summary!)![1]!;
      expect(chosen.map((c) => c.caseId)).toContain(coveringCase);
      // The case view names its incident.
      const c = (await app.inject({ method: 'GET', url: `/api/cases/${covered.caseId}` })).json();
      expect(c.incidentId).toBe(incidentId);
    },
  );

  it(
    'a second Alertmanager replica sending the same storm, and a second grouper, add nothing',
    { timeout: 60_000 },
    async () => {
      const before = await ctx.store.readAggregate(incidentAggregate(incidentId));
      const head = await ctx.store.headSeq();
      const res = await Promise.all(
        Array.from({ length: alerts.length / 10 }, (_, g) => post(alerts.slice(g * 10, g * 10 + 10))),
      );
      expect(res.every((r) => r.statusCode === 202 || r.statusCode === 200)).toBe(true);
      // A second replica's grouper (its own handler, no cache) joining every case again.
      const other = new IncidentGrouping(new IncidentCommandHandler(ctx.store), 15 * 60_000);
      for (const a of alerts.slice(0, 40)) expect(await other.join(a.fingerprint, a)).toBe(incidentId);
      expect(await ctx.store.headSeq()).toBe(head);
      expect((await ctx.store.readAggregate(incidentAggregate(incidentId))).version).toBe(before.version);
    },
  );

  it(
    'split and merge by a person are events, and replay rebuilds the same rows',
    { timeout: 90_000 },
    async () => {
      const victim = alerts[7]!.fingerprint;
      const split = await app.inject({
        method: 'POST',
        url: `/api/incidents/${incidentId}/split`,
        payload: { caseId: victim, note: 'unrelated: node maintenance' },
      });
      expect(split.statusCode).toBe(202);
      // Another workload's alert opens its own incident; a person merges it into the storm.
      const lone = withFp({
        ...storm[0]!,
        labels: {
          alertname: 'KubePodCrashLooping',
          namespace: `shop-${run}`,
          pod: 'payments-5d8f7c9b4-xk2lp',
          run,
        },
      });
      expect((await post([lone])).statusCode).toBe(202);
      let loneIncident = '';
      await waitFor(async () => {
        const all = (await app.inject({ method: 'GET', url: '/api/incidents?limit=500' })).json()
          .incidents as IncidentView[];
        loneIncident = all.find((i) => i.keyValue.includes('payments'))?.incidentId ?? '';
        return loneIncident !== '';
      }, 30_000);
      const merge = await app.inject({
        method: 'POST',
        url: '/api/incidents/merge',
        payload: { into: incidentId, from: [loneIncident], note: 'same bad config' },
      });
      expect(merge.statusCode).toBe(202);
      const again = await app.inject({
        method: 'POST',
        url: '/api/incidents/merge',
        payload: { into: incidentId, from: [loneIncident], note: 'same bad config' },
      });
      expect(again.json()).toMatchObject({ changed: false });
      const bad = await app.inject({
        method: 'POST',
        url: '/api/incidents/merge',
        payload: { into: 'x', from: [] },
      });
      expect(bad.statusCode).toBe(400);
      expect(bad.json().code).toBe('TARKA_BAD_REQUEST');

      const settled = async () => {
        const d = await detail(incidentId);
        return (
          d.members.find((m) => m.caseId === victim)?.status === 'split' &&
          d.members.some((m) => m.caseId === lone.fingerprint && m.reasonKind === 'merged')
        );
      };
      await waitFor(settled, 30_000);
      const d = await detail(incidentId);
      expect(d.incident.memberCount).toBe(alerts.length); // one split off, one merged in
      expect(d.members.find((m) => m.caseId === victim)).toMatchObject({
        splitNote: 'unrelated: node maintenance',
      });
      const gone = await detail(loneIncident);
      expect(gone.incident).toMatchObject({ status: 'merged', mergedInto: incidentId });

      // Rebuild from sequence 1: the same rows.
      const rows = async () => ({
        incidents: (
          await ctx.pool.query('SELECT row_to_json(t)::text AS r FROM incidents t ORDER BY incident_id')
        ).rows,
        members: (
          await ctx.pool.query('SELECT row_to_json(t)::text AS r FROM incident_members t ORDER BY member_id')
        ).rows,
      });
      await waitFor(
        async () => (await ctx.pool.query('SELECT max(last_seq)::int AS s FROM incidents')).rows[0].s > 0,
        5000,
      );
      const before = await rows();
      await replayProjection({ pool: ctx.pool, store: ctx.store, log: ctx.log }, incidentsProjection);
      expect(await rows()).toEqual(before);
      // And with the CLI, as an operator runs it (every read model, reading on a worker thread).
      const child = spawn(process.execPath, [join(root, 'dist', 'cli', 'main.js'), 'replay'], {
        env: envOf(ctx.config),
      });
      let out = '';
      child.stdout.on('data', (d) => (out += d));
      child.stderr.on('data', (d) => (out += d));
      expect(await new Promise((r) => child.on('exit', r)), out).toBe(0);
      expect(out).toMatch(/incidents: rebuilt generation \d+ from \d+ events/);
      expect(await rows()).toEqual(before);
    },
  );

  it(
    'hands a shared cause to another member when its investigation failed for good',
    { timeout: 60_000 },
    async () => {
      await stopWorker();
      stopWorker = async () => {};
      const [p, q] = rolloutStorm({
        size: 2,
        namespace: `shop-${run}`,
        deployment: 'checkout',
        revision: '5d8f7c9b4',
        startsAt,
        run,
      })
        .map((a) => ({ ...a, labels: { ...a.labels, alertname: 'KubeContainerOOMKilled' } }))
        .map(withFp);
      expect((await post([p!, q!])).statusCode).toBe(202);
      const grouping = new IncidentGrouping(
        new IncidentCommandHandler(ctx.store),
        15 * 60_000,
        failedInLog(ctx.store),
      );
      const invOf = async (fp: string) => {
        const { events } = await ctx.store.readAggregate(`case.${fp}`);
        const e = events.find((x) => x.type === 'InvestigationRequested')!;
        return (e.data as { investigationId: string }).investigationId;
      };
      const [invP, invQ] = [await invOf(p!.fingerprint), await invOf(q!.fingerprint)];
      expect(await grouping.coverage(p!.fingerprint, invP, p!)).toBeNull(); // P investigates the cause
      expect((await grouping.coverage(q!.fingerprint, invQ, q!))?.coveredBy).toEqual({
        caseId: p!.fingerprint,
        investigationId: invP,
      });
      await ctx.handler.handle(
        p!.fingerprint,
        { type: 'FailInvestigation', investigationId: invP, error: 'boom', final: true, attempts: 5 },
        `test-fail:${invP}`,
      );
      // Q's job redelivered (or a new member): P's failure hands the cause to Q, which now runs.
      expect(await grouping.coverage(q!.fingerprint, invQ, q!)).toBeNull();
      expect((await grouping.coverage(p!.fingerprint, invP, p!))?.coveredBy.caseId).toBe(q!.fingerprint);
    },
  );
});
