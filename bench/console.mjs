// bench/console: the live console with 10,000 cases.
//   ./tarka bench console [cases=10000] [samples=40]
// Seeds the cases straight into the event stream, runs `tarka project` and `tarka serve` as
// separate processes (as deployed: notifications go through Postgres), then measures
//   - the inbox API (first page, a token search, a deep page),
//   - first render of the inbox in headless Chromium,
//   - append → visible in a connected browser: a new alert reaching the inbox, and an
//     investigation step reaching an open case page,
//   - the size of the built console's JavaScript, gzipped.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import pg from 'pg';
import {
  dropBenchResources,
  fmt,
  freePort,
  freshEnv,
  openEventStore,
  pct,
  root,
  startTarka,
} from './lib.mjs';

const N = Number(process.argv[2] ?? 10_000);
const SAMPLES = Number(process.argv[3] ?? 40);
const dataDir = mkdtempSync(join(tmpdir(), 'tarka-bench-console-'));
const env = freshEnv({ TARKA_DATA_DIR: dataDir });
const pgOf = (c) => ({
  host: c.POSTGRES_HOST,
  port: c.POSTGRES_PORT,
  user: c.POSTGRES_USER,
  password: c.POSTGRES_PASSWORD,
});
const ms = (v) => `${v.toFixed(v < 10 ? 1 : 0)} ms`;
const stats = (xs) => {
  if (xs.length === 0) return 'no samples';
  const s = [...xs].sort((a, b) => a - b);
  return `p50 ${ms(pct(s, 50))}, p95 ${ms(pct(s, 95))}, max ${ms(s[s.length - 1])} (n=${s.length})`;
};

// --- bundle size -------------------------------------------------------------------------------
function walk(dir) {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? walk(p) : [p];
  });
}
const build = join(root, 'console', 'build');
const files = walk(build);
const gz = (ext) =>
  files
    .filter((f) => f.endsWith(ext))
    .reduce((n, f) => n + gzipSync(readFileSync(f), { level: 9 }).length, 0);
const jsGz = gz('.js');
console.log(
  `console JS ${(jsGz / 1024).toFixed(1)} KB gzipped (target < 300 KB); CSS ${(gz('.css') / 1024).toFixed(1)} KB`,
);

// --- seed ----------------------------------------------------------------------------------------
const { CaseCommandHandler } = await import(join(root, 'dist/commands/case/handler.js'));
const { labelsFingerprint } = await import(join(root, 'dist/ingest/alertmanager-payload.js'));
const { launchChromium } = await import(join(root, 'dist-testkit/chromium.js'));
const { config, nc, store } = await openEventStore(env);
const jsm = await nc.jetstreamManager();

const families = [
  'crashloop',
  'oom_killed',
  'cpu_throttling',
  'http_5xx',
  'pod_not_healthy',
  'target_down',
  'job_failed',
];
const classes = ['actionable', 'informational', 'noisy', 'artifact'];
const names = [
  'KubePodCrashLooping',
  'HTTP5xxRateHigh',
  'CPUThrottlingHigh',
  'KubeJobFailed',
  'TargetDown',
  'KubePodNotReady',
];
const now = Date.now();
const at = (offsetMs) => new Date(now - offsetMs).toISOString();

function decisions(i) {
  const fp = `b${i.toString(16).padStart(8, '0')}`;
  const start = at((N - i) * 50_000); // spread over about a week
  const inv = `${fp}-1`;
  const labels = {
    alertname: names[i % names.length],
    namespace: `ns-${i % 40}`,
    pod: `app-${i % 300}-7f9c-${i.toString(36)}`,
    severity: ['critical', 'warning', 'info'][i % 3],
    team: `team-${i % 8}`,
    cluster: `prod-${i % 3}`,
  };
  const out = [
    [
      {
        type: 'AlertFired',
        data: {
          fingerprint: fp,
          episode: 1,
          startsAt: start,
          labels,
          annotations: { summary: `bench case ${i}` },
          generatorURL: null,
          notification: { receiver: 'tarka', groupKey: null, truncatedAlerts: 0, reason: null },
        },
      },
      {
        type: 'InvestigationRequested',
        data: { investigationId: inv, episode: 1, reason: 'new_episode', anchor: start, requestedBy: null },
      },
    ],
  ];
  if (i % 10 < 7) {
    const report = {
      summary: `${labels.pod} in ${labels.namespace}: bench finding ${i}`,
      family: families[i % families.length],
      classification: classes[i % classes.length],
      target: { display: `${labels.namespace}/${labels.pod}` },
      scores: { impact: i % 100, confidence: 60, noise: (i * 7) % 100, breakdown: [] },
    };
    out.push([{ type: 'InvestigationStarted', data: { investigationId: inv, worker: 'bench', attempt: 1 } }]);
    out.push([{ type: 'InvestigationCompleted', data: { investigationId: inv, anchor: start, report } }]);
  }
  if (i % 10 === 9)
    out.push([
      {
        type: 'AlertResolved',
        data: { fingerprint: fp, episode: 1, startsAt: start, endsAt: at((N - i) * 50_000 - 600_000) },
      },
    ]);
  return { aggregate: `case.${fp}`, decisions: out };
}

console.log(`seeding ${fmt(N)} cases ...`);
const s0 = performance.now();
let next = 0;
await Promise.all(
  Array.from({ length: 128 }, async () => {
    while (next < N) {
      const { aggregate, decisions: ds } = decisions(next++);
      let version = 0;
      for (const d of ds)
        version = (await store.append(aggregate, d, { expectedVersion: version, commandId: randomUUID() }))
          .seq;
    }
  }),
);
const head = (await jsm.streams.info(config.EVENTS_STREAM)).state.last_seq;
console.log(`seeded ${fmt(head)} messages in ${((performance.now() - s0) / 1000).toFixed(1)} s`);

// --- processes -----------------------------------------------------------------------------------
const children = [];
let browser;
try {
  const p0 = performance.now();
  const project = await startTarka('project', { ...env, PORT: String(await freePort()) });
  children.push(project.child);
  const serve = await startTarka('serve', { ...env, PORT: String(await freePort()) });
  children.push(serve.child);
  const db = new pg.Client({ ...pgOf(config), database: config.POSTGRES_DB });
  await db.connect();
  for (;;) {
    const { rows } = await db
      .query(
        `SELECT position FROM projection_checkpoints WHERE name = 'cases' ORDER BY generation DESC LIMIT 1`,
      )
      .catch(() => ({ rows: [] }));
    if (Number(rows[0]?.position ?? 0) >= head) break;
    if (performance.now() - p0 > 180_000)
      throw new Error('the cases projector did not catch up within 3 minutes');
    await new Promise((r) => setTimeout(r, 100));
  }
  console.log(`projected in ${((performance.now() - p0) / 1000).toFixed(1)} s (including process start)`);

  // --- inbox API -----------------------------------------------------------------------------------
  async function timeApi(label, path) {
    const xs = [];
    let total = 0;
    for (let i = 0; i < 30; i++) {
      const t0 = performance.now();
      const res = await fetch(`${serve.url}${path}`);
      const body = await res.json();
      xs.push(performance.now() - t0);
      total = body.total;
    }
    console.log(
      `API ${label.padEnd(34)} ${stats(xs)}${total === undefined ? '' : `; ${fmt(total)} matching`}`,
    );
  }
  await timeApi('inbox, all, first page', '/api/cases?limit=50');
  await timeApi('inbox, firing (default)', '/api/cases?status=firing&limit=50');
  await timeApi(
    'search ns:ns-7 pod:app-1',
    `/api/cases?limit=50&q=${encodeURIComponent('ns:ns-7 pod:app-1')}`,
  );
  await timeApi('free text "finding 12"', `/api/cases?limit=50&q=${encodeURIComponent('finding 12')}`);
  await timeApi('page 100 (offset 4950)', '/api/cases?limit=50&offset=4950');
  await timeApi('dashboard, 7 days', '/api/dashboard?days=7');

  // --- browser -------------------------------------------------------------------------------------
  browser = await launchChromium();
  // bypassCSP: the bench's in-page probes are evaluated strings, which the console's CSP forbids.
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 }, bypassCSP: true });

  // The page itself notes when the 50th row is in the DOM (no test-driver round trip in the figure).
  await context.addInitScript(`new MutationObserver((_, o) => {
    if (document.querySelectorAll('[data-case]').length >= 50) { window.__rendered = performance.now(); o.disconnect(); }
  }).observe(document, { childList: true, subtree: true })`);
  const renders = [];
  let phases = '';
  for (let i = 0; i < 10; i++) {
    const page = await context.newPage();
    await page.goto(`${serve.url}/?status=all`, { waitUntil: 'commit' });
    await page.waitForFunction('window.__rendered !== undefined', null, { polling: 50 });
    renders.push(await page.evaluate('window.__rendered'));
    phases = await page.evaluate(`(() => {
      const r = (f) => performance.getEntriesByType('resource').find(f);
      const nav = performance.getEntriesByType('navigation')[0];
      const api = r((e) => e.name.includes('/api/cases?'));
      const js = performance.getEntriesByType('resource').filter((e) => e.name.endsWith('.js'));
      const f = (v) => Math.round(v) + ' ms';
      return 'HTML ' + f(nav.responseEnd) + ', scripts loaded ' + f(Math.max(...js.map((e) => e.responseEnd))) +
        ', /api/cases ' + f(api.startTime) + ' → ' + f(api.responseEnd) + ', 50 rows ' + f(window.__rendered);
    })()`);
    await page.close();
  }
  console.log(
    `first render of the inbox (navigation → 50 rows of ${fmt(N)}): first ${ms(renders[0])}, ${stats(renders)} (target < 1 s)`,
  );
  console.log(`  last render, phases since navigation: ${phases}`);

  // Append → visible. The page notes (with its own clock) when an element for a key first
  // appears; a miss after 10 s is counted and explained (projector position vs stream head).
  async function appendToVisible(label, page, attr, append) {
    await page.evaluate(`(() => {
      window.__seen = {};
      new MutationObserver(() => {
        for (const el of document.querySelectorAll('[${attr}]')) window.__seen[el.getAttribute('${attr}')] ??= Date.now();
      }).observe(document.body, { childList: true, subtree: true });
    })()`);
    const xs = [];
    const misses = [];
    for (let i = 0; i < SAMPLES; i++) {
      const t0 = Date.now();
      const key = await append(i);
      try {
        await page.waitForFunction(`!!window.__seen[${JSON.stringify(key)}]`, null, {
          polling: 20,
          timeout: 10_000,
        });
        xs.push((await page.evaluate(`window.__seen[${JSON.stringify(key)}]`)) - t0);
      } catch {
        const { rows } = await db.query(`SELECT position FROM projection_checkpoints WHERE name = 'cases'`);
        const head = (await jsm.streams.info(config.EVENTS_STREAM)).state.last_seq;
        misses.push(`${key} (cases projector at ${rows[0]?.position}, stream head ${head})`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    console.log(`${label}: ${stats(xs)} (target p95 < 500 ms)`);
    if (misses.length) console.log(`  not visible within 10 s: ${misses.join('; ')}`);
  }

  const inbox = await context.newPage();
  await inbox.goto(`${serve.url}/?status=all`);
  await inbox.locator('[data-live="live"]').waitFor();
  await appendToVisible(
    'new alert (POST /alerts) → row visible in the inbox',
    inbox,
    'data-case',
    async (i) => {
      // Tarka files an alert under Alertmanager's fingerprint of its labels: a label per alert.
      const labels = {
        alertname: 'BenchLatency',
        namespace: 'bench',
        severity: 'warning',
        run: `lat${i.toString(16).padStart(5, '0')}${Date.now().toString(36)}`,
      };
      const fingerprint = labelsFingerprint(labels);
      const res = await fetch(`${serve.url}/alerts`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          version: '4',
          status: 'firing',
          receiver: 'tarka',
          groupKey: '{}:{}',
          truncatedAlerts: 0,
          alerts: [
            {
              status: 'firing',
              fingerprint,
              labels,
              annotations: {},
              startsAt: new Date().toISOString(),
              endsAt: '0001-01-01T00:00:00Z',
            },
          ],
        }),
      });
      if (res.status !== 202) throw new Error(`webhook ${res.status}`);
      return fingerprint;
    },
  );

  // Steps on an open case page: the path a running investigation streams on.
  const handler = new CaseCommandHandler(store);
  const caseId = 'b00000000';
  const casePage = await context.newPage();
  await casePage.goto(`${serve.url}/cases/${caseId}`);
  await casePage.locator('[data-live="live"]').waitFor();
  const inv = 'bench-steps';
  await handler.handle(
    caseId,
    { type: 'RequestInvestigation', investigationId: inv, by: 'bench' },
    randomUUID(),
  );
  await handler.handle(
    caseId,
    { type: 'StartInvestigation', investigationId: inv, worker: 'bench', attempt: 1 },
    randomUUID(),
  );
  await casePage.locator(`[data-investigation="${inv}"]`).waitFor();
  await appendToVisible(
    'investigation step appended → visible on the case page',
    casePage,
    'data-step',
    async (i) => {
      const step = `evidence:bench-${i}`;
      const command = {
        type: 'RecordInvestigationStep',
        investigationId: inv,
        step,
        status: 'ok',
        startedAt: new Date().toISOString(),
        durationMs: 5,
        summary: `bench step ${i}`,
      };
      await handler.handle(caseId, command, randomUUID());
      return step;
    },
  );
  await db.end();

  // --- clean up ------------------------------------------------------------------------------------
} finally {
  await browser?.close();
  for (const child of children) if (child.exitCode === null) child.kill('SIGTERM');
  await Promise.all(
    children.map((child) => new Promise((r) => (child.exitCode !== null ? r() : child.once('exit', r)))),
  );
  await nc.close();
  await dropBenchResources(env);
  rmSync(dataDir, { recursive: true, force: true });
}
