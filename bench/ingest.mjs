// bench/ingest: drives a real `tarka serve` over loopback with Alertmanager-shaped groups of 10
// alerts, first all new, then the same groups again (resends); prints alerts/s, latency and RSS,
// and the raw pipelined JetStream publish rate measured in the same run, for comparison.
// Then a second replica joins and an HA pair of senders (each group sent twice at once) resends
// everything through both replicas: the first pass is the second replica's first sight of the
// cases, the later passes (each copy to a replica picked at random) show the steady resend rate.
//   ./tarka bench ingest [groups=3000] [concurrency=8] [ha-concurrency=32]
import http from 'node:http';
import { randomBytes } from 'node:crypto';
import { connect } from 'nats';
import { join } from 'node:path';
import {
  dropBenchResources,
  fixtures,
  fmt,
  freePort,
  freshEnv,
  pct,
  root,
  rssOf,
  startTarka,
} from './lib.mjs';

const groups = Number(process.argv[2] ?? 3000);
const concurrency = Number(process.argv[3] ?? 8);
const haConcurrency = Number(process.argv[4] ?? 32);
const env = freshEnv({ PORT: String(await freePort()) });

const { labelsFingerprint } = await import(join(root, 'dist/ingest/alertmanager-payload.js'));
const warmup = fixtures()[0].alerts[0];

// Shapes from the captured fixtures, pods (and so fingerprints) varied per alert.
const shapes = fixtures().flatMap((p) =>
  p.alerts.filter((a) => a.status === 'firing').map((a) => ({ p, a })),
);
const bodies = Array.from({ length: groups }, (_, g) => {
  const { p } = shapes[g % shapes.length];
  const alerts = Array.from({ length: 10 }, (_, i) => {
    const { a } = shapes[(g + i) % shapes.length];
    const labels = { ...a.labels, pod: `bench-${g}-${i}` };
    return {
      ...a,
      labels,
      // As Alertmanager sends it: its fingerprint of the labels (Tarka files cases under it).
      fingerprint: labelsFingerprint(labels),
      startsAt: new Date(Date.now() - 60_000).toISOString(),
    };
  });
  return Buffer.from(JSON.stringify({ ...p, alerts }));
});

const { child, url } = await startTarka('serve', env);
const agent = new http.Agent({ keepAlive: true, maxSockets: haConcurrency });
const target = new URL(`${url}/alerts`);

function send(body, to = target) {
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const req = http.request(
      {
        host: to.hostname,
        port: to.port,
        path: to.pathname,
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

/**
 * Sends every work item (a body and the replica it goes to) with `senders` requests in flight;
 * prints and returns alerts/s.
 */
async function phase(
  name,
  { items = bodies.map((b) => [b, target]), senders = concurrency, pids = [child.pid] } = {},
) {
  const latencies = [];
  let next = 0;
  let peak = 0;
  const rss = () => pids.reduce((sum, pid) => sum + rssOf(pid).rssMb, 0);
  const sampler = setInterval(() => (peak = Math.max(peak, rss())), 100);
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: senders }, async () => {
      while (next < items.length) {
        const [body, to] = items[next++];
        latencies.push(await send(body, to));
      }
    }),
  );
  const secs = (performance.now() - t0) / 1000;
  clearInterval(sampler);
  latencies.sort((a, b) => a - b);
  const alerts = items.length * 10;
  const rate = alerts / secs;
  console.log(
    `${name.padEnd(8)} ${fmt(alerts)} alerts in ${secs.toFixed(2)} s: ${fmt(rate)} alerts/s, ` +
      `request p50 ${pct(latencies, 50).toFixed(1)} ms, p99 ${pct(latencies, 99).toFixed(1)} ms, ` +
      `serve RSS peak ${peak.toFixed(0)} MB${pids.length > 1 ? ` (${pids.length} replicas)` : ''}`,
  );
  return rate;
}

// Warm-up: connections, JIT, stream creation.
await send(
  Buffer.from(
    JSON.stringify({
      ...fixtures()[0],
      alerts: [{ ...warmup, fingerprint: labelsFingerprint(warmup.labels) }],
    }),
  ),
);
const newRate = await phase('new');
await phase('resend');
const { rssMb } = rssOf(child.pid);

// A second replica on the same stream, as behind a Service; an HA pair sends each group twice at
// once: the first pass sends one copy to each replica (the second one's first sight of every
// case), the later passes send each copy to a replica picked at random.
const env2 = { ...env, PORT: String(await freePort()) };
const second = await startTarka('serve', env2);
const targets = [target, new URL(`${second.url}/alerts`)];
const haItems = (pick) => bodies.flatMap((b, g) => [0, 1].map((copy) => [b, targets[pick(g, copy)]]));
const random = () => Math.floor(Math.random() * 2);
const ha = { senders: haConcurrency, pids: [child.pid, second.child.pid] };
console.log(
  `HA resends: ${haConcurrency} senders, each group twice at once, one copy to each replica first, then to either at random`,
);
await phase('ha-first', { ...ha, items: haItems((g, copy) => (g + copy) % 2) });
// JetStream appends both replicas made so far (duplicates included), from their /metrics.
const appends = async () => {
  let n = 0;
  for (const u of [url, second.url]) {
    const text = await (await fetch(`${u}/metrics`)).text();
    for (const m of text.matchAll(/^tarka_event_append_duration_seconds_count\{[^}]*\} (\d+)/gm))
      n += Number(m[1]);
  }
  return n;
};
const appendsBefore = await appends();
const haRates = [];
for (let pass = 1; pass <= 2; pass++)
  haRates.push(await phase(`ha-${pass}`, { ...ha, items: haItems(random) }));
const haRate = Math.min(...haRates);
const steadyAppends = (await appends()) - appendsBefore;
second.child.kill('SIGTERM');
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
console.log(
  `HA resends through 2 replicas (slower steady pass): ${fmt(haRate)} alerts/s, ` +
    `JetStream appends during the steady passes: ${fmt(steadyAppends)}`,
);
console.log(
  `targets: new >= 5,000 alerts/s with p99 < 50 ms; resends >= 20,000 alerts/s (one replica and HA through two); RSS < 150 MB`,
);
