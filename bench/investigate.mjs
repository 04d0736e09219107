// bench/investigate: alert → InvestigationCompleted latency against a local real Prometheus (with
// an hour of synthetic kube-state-metrics history) and Alertmanager, then worker RSS while a burst
// of 200 alerts is investigated with WORKER_CONCURRENCY=4 (incident grouping off: every alert is
// its own investigation), then an alert storm: 500 alerts from one bad rollout with grouping on,
// printing the investigations run and the time from the first alert to the incident in the API.
// Tarka runs as real processes.
//   ./tarka bench investigate [sequential=40] [burst=200] [storm=500]
import { join } from 'node:path';
import { connect } from 'nats';
import { dropBenchResources, fmt, freePort, freshEnv, pct, root, rssOf, startTarka } from './lib.mjs';

const sequential = Number(process.argv[2] ?? 40);
const burst = Number(process.argv[3] ?? 200);
const stormSize = Number(process.argv[4] ?? 500);
const { rolloutStorm } = await import(join(root, 'dist/incidents/storm.js'));
const { startPrometheus } = await import(join(root, 'dist-testkit/prometheus.js'));
const { startAlertmanager } = await import(join(root, 'dist-testkit/alertmanager.js'));
const { labelsFingerprint } = await import(join(root, 'dist/ingest/alertmanager-payload.js'));
const { JetStreamEventStore } = await import(join(root, 'dist/nats/jetstream-event-store.js'));

const pods = 300;
const series = [];
for (let p = 0; p < pods; p++) {
  const labels = { namespace: 'shop', pod: `api-${p}`, container: 'api' };
  series.push({
    metric: 'kube_pod_container_status_restarts_total',
    labels,
    type: 'counter',
    value: (i) => Math.floor(i / 30),
  });
  series.push({ metric: 'container_memory_working_set_bytes', labels, value: (i) => 2e8 + (i % 10) * 1e7 });
}
const prometheus = await startPrometheus({ series, historySeconds: 3600 });
const alertmanager = await startAlertmanager();
const env = freshEnv({
  PROMETHEUS_URL: prometheus.url,
  ALERTMANAGER_URL: alertmanager.url,
  WORKER_CONCURRENCY: '4',
  // The first two phases measure independent investigations; the storm phase turns grouping on.
  INCIDENT_WINDOW_MINUTES: '0',
  TARKA_DATA_DIR: `/tmp/${Date.now()}-bench-investigate`,
});
const serve = await startTarka('serve', { ...env, PORT: String(await freePort()) });
let project = await startTarka('project', { ...env, PORT: String(await freePort()) });
let worker = await startTarka('worker', { ...env, PORT: String(await freePort()) });

const nc = await connect({ servers: env.NATS_URL });
const store = new JetStreamEventStore(nc, await nc.jetstreamManager(), {
  stream: env.EVENTS_STREAM,
  subjectPrefix: env.EVENTS_SUBJECT_PREFIX,
});
const posted = new Map();
const done = new Map();
const skipped = new Set();
const reportBytes = [];
/** Step name -> durations (ms), to say where an investigation's time goes. */
const stepMs = new Map();
const sub = store.subscribe({
  fromSeq: 1,
  onBatch: async (events) => {
    for (const e of events) {
      if (e.type === 'InvestigationStepCompleted')
        stepMs.set(e.data.step, [...(stepMs.get(e.data.step) ?? []), e.data.durationMs]);
      if (e.type === 'InvestigationSkipped') skipped.add(e.aggregate.slice(5));
      if (e.type !== 'InvestigationCompleted') continue;
      done.set(e.aggregate.slice(5), performance.now());
      reportBytes.push(Buffer.byteLength(JSON.stringify(e.data.report)));
    }
  },
});

const alert = (i) =>
  withFingerprint({
    status: 'firing',
    labels: {
      alertname: 'KubePodCrashLooping',
      namespace: 'shop',
      pod: `api-${i % pods}`,
      container: 'api',
      severity: 'warning',
      run: `${Date.now().toString(36)}-${i}`,
    },
    annotations: { summary: 'Pod is crash looping.' },
    startsAt: new Date().toISOString(),
    endsAt: '0001-01-01T00:00:00Z',
  });
// Tarka files an alert under Alertmanager's fingerprint of its labels.
function withFingerprint(a) {
  return { ...a, fingerprint: labelsFingerprint(a.labels) };
}
async function post(alerts) {
  const res = await fetch(`${serve.url}/alerts`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ version: '4', status: 'firing', receiver: 'bench', alerts }),
  });
  if (res.status !== 202) throw new Error(`HTTP ${res.status}`);
  const t = performance.now();
  for (const a of alerts) posted.set(a.fingerprint, t);
}
const untilAsync = async (cond, ms) => {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 50));
  }
};
const until = async (cond, ms) => {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
};

// Latency: one alert at a time, each waiting for its report.
const lat = [];
for (let i = 0; i < sequential; i++) {
  const a = alert(i);
  await post([a]);
  await until(() => done.has(a.fingerprint), 30_000);
  lat.push(done.get(a.fingerprint) - posted.get(a.fingerprint));
}
lat.sort((a, b) => a - b);

// Burst: 200 alerts in groups of 10, all at once; sample the worker's memory meanwhile.
let peak = 0;
const sampler = setInterval(() => (peak = Math.max(peak, rssOf(worker.child.pid).rssMb)), 50);
const burstAlerts = Array.from({ length: burst }, (_, i) => alert(100_000 + i));
const t0 = performance.now();
await Promise.all(Array.from({ length: burst / 10 }, (_, g) => post(burstAlerts.slice(g * 10, g * 10 + 10))));
await until(() => burstAlerts.every((a) => done.has(a.fingerprint)), 300_000);
const burstSecs = (performance.now() - t0) / 1000;
clearInterval(sampler);
const burstLat = burstAlerts
  .map((a) => done.get(a.fingerprint) - posted.get(a.fingerprint))
  .sort((a, b) => a - b);

// Storm: one bad rollout, 500 alerts in notifications of 10, all at once, with grouping on.
const stop = (p) => new Promise((r) => p.child.once('exit', r).kill('SIGTERM'));
await Promise.all([stop(worker), stop(project)]);
const stormEnv = { ...env, INCIDENT_WINDOW_MINUTES: '15' };
project = await startTarka('project', { ...stormEnv, PORT: String(await freePort()) });
worker = await startTarka('worker', { ...stormEnv, PORT: String(await freePort()) });
const stormAlerts = rolloutStorm({
  size: stormSize,
  namespace: 'shop',
  deployment: 'checkout',
  startsAt: new Date().toISOString(),
  run: `storm-${Date.now().toString(36)}`,
}).map(withFingerprint);
const s0 = performance.now();
await Promise.all(
  Array.from({ length: Math.ceil(stormSize / 10) }, (_, g) => post(stormAlerts.slice(g * 10, g * 10 + 10))),
);
const postedAll = performance.now() - s0;
let incident;
await untilAsync(async () => {
  const res = await fetch(`${serve.url}/api/incidents?minMembers=2&limit=5`);
  if (!res.ok) return false;
  incident = (await res.json()).incidents.find((i) => i.memberCount === stormSize);
  return incident !== undefined;
}, 120_000);
const visibleMs = performance.now() - s0;
const settled = (a) => done.has(a.fingerprint) || skipped.has(a.fingerprint);
await until(() => stormAlerts.every(settled), 300_000);
const stormSecs = (performance.now() - s0) / 1000;
const ran = stormAlerts.filter((a) => done.has(a.fingerprint)).length;
const covered = stormAlerts.filter((a) => skipped.has(a.fingerprint) && !done.has(a.fingerprint)).length;

if (sequential > 0)
  console.log(
    `alert → report (one at a time, ${sequential}): p50 ${(pct(lat, 50) / 1000).toFixed(2)} s, p95 ${(pct(lat, 95) / 1000).toFixed(2)} s`,
  );
if (burst > 0)
  console.log(
    `burst of ${burst}: all reports in ${burstSecs.toFixed(1)} s (${(burst / burstSecs).toFixed(1)} investigations/s), alert → report p50 ${(pct(burstLat, 50) / 1000).toFixed(1)} s, p95 ${(pct(burstLat, 95) / 1000).toFixed(1)} s`,
  );
if (burst > 0) console.log(`worker RSS peak during the burst (WORKER_CONCURRENCY=4): ${peak.toFixed(0)} MB`);
reportBytes.sort((a, b) => a - b);
if (reportBytes.length)
  console.log(`report JSON size: median ${fmt(pct(reportBytes, 50))} B, max ${fmt(reportBytes.at(-1))} B`);
console.log(
  `storm of ${stormSize} alerts from one rollout (posted in ${(postedAll / 1000).toFixed(1)} s): incident ${incident.incidentId} (${incident.keyKind} ${incident.keyValue}, ${incident.memberCount} members) visible in the API ${(visibleMs / 1000).toFixed(2)} s after the first alert; ${ran} investigations run, ${covered} covered by them; all settled in ${stormSecs.toFixed(1)} s`,
);
const steps = [...stepMs]
  .map(([step, ms]) => ({ step, mean: ms.reduce((a, b) => a + b, 0) / ms.length }))
  .sort((a, b) => b.mean - a.mean)
  .slice(0, 6);
console.log(`slowest steps (mean ms): ${steps.map((s) => `${s.step} ${s.mean.toFixed(0)}`).join(', ')}`);
console.log(
  'targets: p50 < 2 s, p95 < 5 s; worker RSS < 250 MB; typical report <= 30 KB; storm: a handful of investigations, incident within seconds',
);

await sub.stop();
await nc.close();
await Promise.all(
  [worker, project, serve].map((p) => new Promise((r) => p.child.once('exit', r).kill('SIGTERM'))),
);
await prometheus.stop();
await alertmanager.stop();
await dropBenchResources(env);
