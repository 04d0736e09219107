// bench/ingest: drives a real `tarka serve` over loopback with Alertmanager-shaped groups of 10
// alerts, first all new, then the same groups again (resends); prints alerts/s, latency and RSS,
// and the raw pipelined JetStream publish rate measured in the same run, for comparison.
//   ./tarka bench ingest [groups=3000] [concurrency=8]
import http from 'node:http';
import { randomBytes } from 'node:crypto';
import { connect } from 'nats';
import { dropBenchResources, fixtures, fmt, freePort, freshEnv, pct, rssOf, startTarka } from './lib.mjs';

const groups = Number(process.argv[2] ?? 3000);
const concurrency = Number(process.argv[3] ?? 8);
const env = freshEnv({ PORT: String(await freePort()) });

// Shapes from the captured fixtures, fingerprints and pods varied per alert.
const shapes = fixtures().flatMap((p) =>
  p.alerts.filter((a) => a.status === 'firing').map((a) => ({ p, a })),
);
const bodies = Array.from({ length: groups }, (_, g) => {
  const { p } = shapes[g % shapes.length];
  const alerts = Array.from({ length: 10 }, (_, i) => {
    const { a } = shapes[(g + i) % shapes.length];
    return {
      ...a,
      labels: { ...a.labels, pod: `bench-${g}-${i}` },
      fingerprint: randomBytes(8).toString('hex'),
      startsAt: new Date(Date.now() - 60_000).toISOString(),
    };
  });
  return Buffer.from(JSON.stringify({ ...p, alerts }));
});

const { child, url } = await startTarka('serve', env);
const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
const target = new URL(`${url}/alerts`);

function send(body) {
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const req = http.request(
      {
        host: target.hostname,
        port: target.port,
        path: target.pathname,
        method: 'POST',
        agent,
        headers: { 'content-type': 'application/json', 'content-length': body.length },
      },
      (res) => {
        res.resume();
        res.on('end', () =>
          res.statusCode === 202
            ? resolve(Number(process.hrtime.bigint() - t0) / 1e6)
            : reject(new Error(`HTTP ${res.statusCode}`)),
        );
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

async function phase(name) {
  const latencies = [];
  let next = 0;
  let peak = 0;
  const sampler = setInterval(() => (peak = Math.max(peak, rssOf(child.pid).rssMb)), 100);
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < bodies.length) latencies.push(await send(bodies[next++]));
    }),
  );
  const secs = (performance.now() - t0) / 1000;
  clearInterval(sampler);
  latencies.sort((a, b) => a - b);
  const rate = (groups * 10) / secs;
  console.log(
    `${name.padEnd(8)} ${fmt(groups * 10)} alerts in ${secs.toFixed(2)} s: ${fmt(rate)} alerts/s, ` +
      `request p50 ${pct(latencies, 50).toFixed(1)} ms, p99 ${pct(latencies, 99).toFixed(1)} ms, serve RSS peak ${peak.toFixed(0)} MB`,
  );
  return rate;
}

// Warm-up: connections, JIT, stream creation.
await send(
  Buffer.from(
    JSON.stringify({ ...fixtures()[0], alerts: [{ ...fixtures()[0].alerts[0], fingerprint: 'warmup00' }] }),
  ),
);
const newRate = await phase('new');
await phase('resend');
const { rssMb } = rssOf(child.pid);
child.kill('SIGTERM');

// Raw pipelined JetStream publishes of ~1 KB messages, 128 in flight, from this process.
const nc = await connect({ servers: env.NATS_URL });
const jsm = await nc.jetstreamManager();
const stream = `${env.EVENTS_STREAM}_RAW`;
await jsm.streams.add({ name: stream, subjects: [`${env.EVENTS_SUBJECT_PREFIX}-raw.>`] });
const js = nc.jetstream();
const payload = randomBytes(512).toString('hex');
const n = 30_000;
let sent = 0;
const t0 = performance.now();
await Promise.all(
  Array.from({ length: 128 }, async () => {
    while (sent < n) {
      const i = sent++;
      await js.publish(`${env.EVENTS_SUBJECT_PREFIX}-raw.c${i % 5000}`, payload, { msgID: `m${i}` });
    }
  }),
);
const rawRate = n / ((performance.now() - t0) / 1000);
await jsm.streams.delete(stream).catch(() => {});
await nc.close();
await dropBenchResources(env);

console.log(`raw JetStream pipelined publish: ${fmt(rawRate)} msgs/s (128 in flight, ~1 KB)`);
console.log(
  `ratio new alerts / raw publish: ${(newRate / rawRate).toFixed(2)} (each new alert is one append)`,
);
console.log(`serve RSS at end: ${rssMb.toFixed(0)} MB`);
console.log(`targets: new >= 5,000 alerts/s with p99 < 50 ms; resends >= 20,000 alerts/s; RSS < 150 MB`);
