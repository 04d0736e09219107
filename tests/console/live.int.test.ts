import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatabasePool } from 'slonik';
import { LiveGateway, type LiveSocket } from '../../src/live/gateway.js';
import { ProjectionListener } from '../../src/live/listener.js';
import type { dashboard } from '../../src/projections/cases/dashboard.js';
import { pgSettings } from '../../src/db/postgres.js';
import { alertPayload, caseId, sampleReport } from './fixtures.js';
import { getJson, requestedInvestigation, startConsoleApp, type ConsoleApp } from './harness.js';

// The live protocol (src/live) over a real websocket, and the API the console reads.

type Frame = {
  type: string;
  seq: number;
  resumed?: boolean;
  caseId?: string;
  case?: { caseId: string; lastSeq: number; status: string };
  investigation?: { state: string };
  step?: { step: string };
};

type Dashboard = Awaited<ReturnType<typeof dashboard>>;

/** A websocket client that queues frames, so a test can wait for the one it expects. */
async function connect(url: string, since?: number) {
  const ws = new WebSocket(
    `${url.replace('http', 'ws')}/api/live${since === undefined ? '' : `?since=${since}`}`,
  );
  const frames: Frame[] = [];
  const waiters: (() => void)[] = [];
  ws.onmessage = (ev) => {
    frames.push(JSON.parse(String(ev.data)));
    for (const w of waiters.splice(0)) w();
  };
  await new Promise<void>((resolve, reject) => {
    ws.onopen = () => resolve();
    ws.onerror = () => reject(new Error('websocket failed'));
  });
  let read = 0;
  /** The next frame matching `match` (frames before it are consumed). */
  const next = async (match: (f: Frame) => boolean, timeoutMs = 10_000): Promise<Frame> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      while (read < frames.length) {
        const f = frames[read++]!;
        if (match(f)) return f;
      }
      if (Date.now() > deadline)
        throw new Error(`no matching frame; got ${JSON.stringify(frames.slice(-5))}`);
      await new Promise<void>((r) => {
        waiters.push(r);
        setTimeout(r, 200);
      });
    }
  };
  return { ws, frames, next, close: () => ws.close() };
}

describe('live gateway and console API', () => {
  let t: ConsoleApp;
  beforeAll(async () => {
    t = await startConsoleApp();
  }, 60_000);
  afterAll(async () => {
    await t?.close();
  });

  const fire = (fingerprint: string, labels: Record<string, string>) =>
    t.postAlerts(alertPayload([{ fingerprint, labels: { severity: 'warning', ...labels } }]));
  const investigationOf = (caseId: string) => requestedInvestigation(t.url, caseId);

  it('says hello, then pushes each committed change once, tagged with its sequence', async () => {
    const c = await connect(t.url);
    const hello = await c.next((f) => f.type === 'hello');
    expect(hello.resumed).toBe(false);
    await fire('aa000001', { alertname: 'KubePodCrashLooping', namespace: 'payments', pod: 'api-1' });
    const frame = await c.next((f) => f.type === 'case' && f.case?.caseId === caseId('aa000001'));
    const sync = await c.next((f) => f.type === 'sync');
    expect(frame.seq).toBe(sync.seq);
    expect(frame.case!.lastSeq).toBeLessThanOrEqual(frame.seq);
    expect(sync.seq).toBeGreaterThan(hello.seq);
    // Pushed only after the projector committed: a fetch now is never older than the push.
    const row = (await getJson<{ case: { lastSeq: number } }>(`${t.url}/api/cases/${caseId('aa000001')}`))
      .case;
    expect(row.lastSeq).toBeGreaterThanOrEqual(frame.case!.lastSeq);

    const inv = await investigationOf(caseId('aa000001'));
    await t.ctx.handler.handle(
      caseId('aa000001'),
      { type: 'StartInvestigation', investigationId: inv, worker: 'w', attempt: 1 },
      randomUUID(),
    );
    const running = await c.next((f) => f.type === 'investigation');
    expect(running.investigation!.state).toBe('running');
    await t.ctx.handler.handle(
      caseId('aa000001'),
      {
        type: 'RecordInvestigationStep',
        investigationId: inv,
        step: 'plan',
        status: 'done',
        startedAt: new Date().toISOString(),
        durationMs: 3,
        summary: 'planned',
      },
      randomUUID(),
    );
    const step = await c.next((f) => f.type === 'step');
    expect(step).toMatchObject({ caseId: caseId('aa000001'), step: { step: 'plan' } });
    c.close();
  });

  it('sends a reconnecting client exactly the gap since its last sequence, then live frames', async () => {
    const a = await connect(t.url);
    await a.next((f) => f.type === 'hello');
    await fire('aa000002', { alertname: 'HTTP5xxRateHigh', namespace: 'shop', service: 'checkout' });
    await a.next((f) => f.type === 'case' && f.case?.caseId === caseId('aa000002'));
    const last = await a.next((f) => f.type === 'sync');
    a.close();

    // While disconnected: a snooze and a new case.
    await fetch(`${t.url}/api/cases/${caseId('aa000002')}/snooze`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ duration: '1h' }),
    });
    await fire('aa000003', { alertname: 'KubeJobFailed', namespace: 'payments', job_name: 'nightly' });
    await t.caught();

    const b = await connect(t.url, last.seq);
    const hello = await b.next((f) => f.type === 'hello');
    expect(hello.resumed).toBe(true);
    const sync = await b.next((f) => f.type === 'sync');
    const gap = b.frames.filter((f) => f.type === 'case').map((f) => f.case!);
    expect(gap.map((c) => c.caseId).sort()).toEqual([caseId('aa000002'), caseId('aa000003')].sort());
    expect(gap.find((c) => c.caseId === caseId('aa000002'))!.status).toBe('snoozed');
    expect(gap.every((c) => c.lastSeq > last.seq && c.lastSeq <= sync.seq)).toBe(true);
    // Then live again.
    await fire('aa000004', { alertname: 'CPUThrottlingHigh', namespace: 'search' });
    await b.next((f) => f.type === 'case' && f.case?.caseId === caseId('aa000004'));
    b.close();
  });

  it('tells a client to refetch when the gap is too large, and reads once per change for all sockets', async () => {
    let reads = 0;
    const pool = t.ctx.readPool;
    const counted = {
      ...pool,
      transaction: ((fn: Parameters<DatabasePool['transaction']>[0]) => {
        reads++;
        return pool.transaction(fn);
      }) as DatabasePool['transaction'],
    } as DatabasePool;
    const gateway = new LiveGateway(
      {
        readPool: counted,
        log: t.ctx.log,
        listen: async (onNotice, onReconnect) => {
          const l = new ProjectionListener(pgSettings(t.ctx.config), t.ctx.log, onNotice, onReconnect);
          await l.start();
          return () => l.stop();
        },
      },
      { maxRows: 2 },
    );
    const sockets = Array.from({ length: 5 }, () => {
      const got: Frame[] = [];
      const s: LiveSocket = {
        readyState: 1,
        bufferedAmount: 0,
        send: (d) => got.push(JSON.parse(d)),
        close: () => undefined,
      };
      return { s, got };
    });
    try {
      const old = sockets[0]!;
      gateway.join(old.s, 0);
      await waitFor(() => old.got.some((f) => f.type === 'reset'));
      for (const { s } of sockets.slice(1)) gateway.join(s, undefined);
      await waitFor(() => sockets.every(({ got }) => got.some((f) => f.type === 'hello')));
      reads = 0;
      await fire('aa000005', { alertname: 'KubeJobFailed', namespace: 'batch' });
      await waitFor(() => sockets.every(({ got }) => got.some((f) => f.case?.caseId === caseId('aa000005'))));
      expect(reads).toBeGreaterThanOrEqual(1);
      expect(reads).toBeLessThanOrEqual(2); // one per notification (the webhook may commit in two batches)
    } finally {
      await gateway.stop();
    }
  });

  it('filters and searches the case list with tokens, classification and family', async () => {
    await fire('aa000006', {
      alertname: 'KubePodCrashLooping',
      namespace: 'payments',
      pod: 'checkout-7d9f-abcde',
      deployment: 'checkout',
      cluster: 'prod-eu-1',
    });
    await t.caught();
    const inv = await investigationOf(caseId('aa000006'));
    await t.ctx.handler.handle(
      caseId('aa000006'),
      { type: 'StartInvestigation', investigationId: inv, worker: 'w', attempt: 1 },
      randomUUID(),
    );
    await t.ctx.handler.handle(
      caseId('aa000006'),
      {
        type: 'CompleteInvestigation',
        investigationId: inv,
        anchor: new Date().toISOString(),
        report: sampleReport(),
      },
      randomUUID(),
    );
    await t.caught();
    const ids = async (query: string) =>
      (await getJson<{ cases: { caseId: string }[] }>(`${t.url}/api/cases?${query}`)).cases
        .map((c) => c.caseId)
        .sort();
    const q = (s: string) => `q=${encodeURIComponent(s)}`;
    expect(await ids(q('ns:payments'))).toEqual(
      [caseId('aa000001'), caseId('aa000003'), caseId('aa000006')].sort(),
    );
    expect(await ids(q('pod:checkout-7d'))).toEqual([caseId('aa000006')]);
    expect(await ids(q('deploy:checkout'))).toEqual([caseId('aa000006')]);
    expect(await ids(q('deploy:api'))).toEqual([caseId('aa000001'), caseId('aa000006')].sort()); // pod api-1; report target "Deployment payments/api"
    expect(await ids(q('svc:checkout'))).toEqual([caseId('aa000002')]);
    expect(await ids(q('cluster:prod-eu-1 alert:crash'))).toEqual([caseId('aa000006')]);
    expect(await ids(q('ns:shop ns:search'))).toEqual([caseId('aa000002'), caseId('aa000004')].sort());
    expect(await ids(q('job_name:nightly'))).toEqual([caseId('aa000003')]);
    expect(await ids(q('ns:payments 5xx'))).toEqual([]);
    expect(await ids('classification=actionable')).toEqual([caseId('aa000006')]);
    expect(await ids('family=oom_killed&team=')).toEqual([caseId('aa000006')]);
  });

  it('answers the dashboard, facets and settings', async () => {
    const d = await getJson<Dashboard>(`${t.url}/api/dashboard?days=7`);
    expect(d.perDay).toHaveLength(7);
    expect(d.perDay.at(-1)!.total).toBeGreaterThanOrEqual(6);
    expect(d.perDay.at(-1)!.byClassification.actionable).toBe(1);
    expect(d.noisiest.map((a) => a.alertname)).toContain('KubePodCrashLooping');
    expect(d.timeToReport.count).toBe(1);
    expect(d.timeToReport.p50Ms).toBeGreaterThan(0);
    expect(d.status.snoozed).toBe(1);
    expect((await fetch(`${t.url}/api/dashboard?days=0`)).status).toBe(400);
    const facets = await getJson<Record<string, string[]>>(`${t.url}/api/facets`);
    expect(facets.severity).toEqual(['warning']);
    expect(facets.namespace).toContain('payments');
    expect((await fetch(`${t.url}/api/live`)).status).toBe(426);
  });
});

async function waitFor(ok: () => boolean, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  while (!ok()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}
