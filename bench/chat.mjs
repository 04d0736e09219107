// bench/chat: chat answer latency without an LLM, tool calls included. Real processes (serve,
// project with the chat answerer, worker) against a local real Prometheus with an hour of
// synthetic history; a few cases are investigated first, then questions are asked one at a time.
//   ./tarka bench chat [questions=120]
// Two figures per question: ask → answer (the ChatAnswerPosted event, from the stored events'
// times: what the engine and its tool calls cost) and ask → answer on screen (POST until the
// console's websocket delivers the answered turn: API, JetStream, answerer, projector, live feed).
import { join } from 'node:path';
import { dropBenchResources, freePort, freshEnv, pct, root, startTarka } from './lib.mjs';

const total = Number(process.argv[2] ?? 120);
const { startPrometheus } = await import(join(root, 'dist-testkit/prometheus.js'));
const { labelsFingerprint } = await import(join(root, 'dist/ingest/alertmanager-payload.js'));

const pods = 50;
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
const env = freshEnv({
  PROMETHEUS_URL: prometheus.url,
  TARKA_DATA_DIR: `/tmp/${Date.now()}-bench-chat`,
  CHAT_TURNS_PER_MINUTE: '600',
});
const serve = await startTarka('serve', { ...env, PORT: String(await freePort()) });
const project = await startTarka('project', { ...env, PORT: String(await freePort()) });
const worker = await startTarka('worker', { ...env, PORT: String(await freePort()) });

const alerts = Array.from({ length: 6 }, (_, i) => {
  const labels = {
    alertname: i % 2 ? 'KubePodCrashLooping' : 'KubePodNotReady',
    namespace: 'shop',
    pod: `api-${i}`,
    container: 'api',
    severity: 'warning',
  };
  return {
    status: 'firing',
    labels,
    annotations: { summary: 'bench' },
    startsAt: new Date().toISOString(),
    endsAt: '0001-01-01T00:00:00Z',
    fingerprint: labelsFingerprint(labels),
  };
});
const res = await fetch(`${serve.url}/alerts`, {
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ version: '4', status: 'firing', receiver: 'bench', alerts }),
});
if (res.status !== 202) throw new Error(`webhook answered ${res.status}`);
const until = async (cond, ms) => {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 50));
  }
};
await until(async () => {
  const { cases } = await (await fetch(`${serve.url}/api/cases?limit=50`)).json();
  return cases.filter((c) => c.investigationState === 'completed').length === alerts.length;
}, 120_000);

// The live feed, as the console reads it: answered turns by id, with the time they arrived.
const arrived = new Map();
const ws = new WebSocket(`${serve.url.replace('http', 'ws')}/api/live`);
ws.onmessage = (ev) => {
  const f = JSON.parse(String(ev.data));
  if (f.type === 'chat_turn' && f.turn.status !== 'pending' && !arrived.has(f.turn.turnId))
    arrived.set(f.turn.turnId, { at: performance.now(), turn: f.turn });
};
await new Promise((r, j) => ((ws.onopen = r), (ws.onerror = j)));

const caseId = alerts[1].fingerprint;
const QUESTIONS = [
  ['case', 'summary', false],
  ['case', 'why is it classified like that?', false],
  ['case', 'what changed?', false],
  ['case', 'show the query behind hypothesis 1', false],
  ['case', 'have we seen this before?', false],
  ['case', 'tell me a joke', false],
  ['global', 'how many cases are open?', false],
  ['global', 'top noisy alerts', false],
  ['global', 'what is firing in namespace shop?', false],
  ['global', 'trend vs the previous 24h', false],
  ['global', 'find case KubePodCrashLooping', false],
  ['case', 'run `sum by (pod) (kube_pod_container_status_restarts_total{namespace="shop"})`', true],
  [
    'case',
    'run `rate(kube_pod_container_status_restarts_total{namespace="shop"}[5m])` over the last 1h',
    true,
  ],
];
const stats = { plain: { answer: [], screen: [] }, query: { answer: [], screen: [] } };
let failed = 0;
for (let i = 0; i < total; i++) {
  const [where, text, query] = QUESTIONS[i % QUESTIONS.length];
  const path = where === 'case' ? `/api/cases/${caseId}/chat` : '/api/chat';
  const t0 = performance.now();
  const r = await fetch(`${serve.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ text }),
  });
  if (r.status !== 202) throw new Error(`chat answered ${r.status}: ${await r.text()}`);
  const { turnId } = await r.json();
  await until(() => arrived.has(turnId), 30_000);
  const { at, turn } = arrived.get(turnId);
  if (turn.status !== 'answered') failed++;
  const s = stats[query ? 'query' : 'plain'];
  s.screen.push(at - t0);
  s.answer.push(Date.parse(turn.answeredAt) - Date.parse(turn.postedAt));
}
ws.close();

const line = (name, xs) => {
  xs.sort((a, b) => a - b);
  return `${name}: p50 ${pct(xs, 50).toFixed(0)} ms, p95 ${pct(xs, 95).toFixed(0)} ms (${xs.length})`;
};
console.log(
  `chat without an LLM, ${total} questions one at a time, tool calls included (${failed} not answered)`,
);
console.log(
  `  non-query intents  ${line('asked → answer event', stats.plain.answer)}; ${line('asked → on screen', stats.plain.screen)}`,
);
console.log(
  `  PromQL intents     ${line('asked → answer event', stats.query.answer)}; ${line('asked → on screen', stats.query.screen)}`,
);
console.log('target: p95 < 500 ms for non-query intents');

await Promise.all(
  [worker, project, serve].map((p) => new Promise((r) => p.child.once('exit', r).kill('SIGTERM'))),
);
await prometheus.stop();
await dropBenchResources(env);
