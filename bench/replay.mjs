// bench/replay: appends 200,000 events over 10,000 cases (realistic case histories: fired,
// investigated step by step, resolved), then times `tarka replay` rebuilding the read models.
//   ./tarka bench replay [events=200000] [cases=10000]
import { execFileSync, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { dropBenchResources, fmt, freshEnv, nodeOptions, openEventStore, root } from './lib.mjs';

const total = Number(process.argv[2] ?? 200_000);
const cases = Number(process.argv[3] ?? 10_000);
const env = freshEnv();
const perCase = Math.floor(total / cases);

const { nc, store } = await openEventStore(env);

const t = (ms) => new Date(Date.UTC(2026, 10, 1) + ms).toISOString();
/** The events of one case, in decisions (one message each), about perCase events in all. */
function history(i) {
  const fp = `r${i.toString(16).padStart(8, '0')}`;
  const start = i * 1000;
  const inv = `${fp}-1`;
  const decisions = [
    [
      {
        type: 'AlertFired',
        data: {
          fingerprint: fp,
          episode: 1,
          startsAt: t(start),
          labels: {
            alertname: ['KubePodCrashLooping', 'HTTP5xxRateHigh', 'CPUThrottlingHigh'][i % 3],
            namespace: `ns-${i % 40}`,
            pod: `pod-${i}`,
            severity: ['critical', 'warning'][i % 2],
            cluster: 'prod-eu-1',
          },
          annotations: { summary: 'bench' },
          generatorURL: null,
          notification: { receiver: 'tarka', groupKey: null, truncatedAlerts: 0, reason: null },
        },
      },
      {
        type: 'InvestigationRequested',
        data: {
          investigationId: inv,
          episode: 1,
          reason: 'new_episode',
          anchor: t(start),
          requestedBy: null,
        },
      },
    ],
    [{ type: 'InvestigationStarted', data: { investigationId: inv, worker: 'w1', attempt: 1 } }],
  ];
  const steps = perCase - 5;
  for (let s = 0; s < steps; s++) {
    decisions.push([
      {
        type: 'InvestigationStepCompleted',
        data: {
          investigationId: inv,
          step: `step-${s}`,
          status: 'ok',
          startedAt: t(start + s),
          durationMs: 12,
          summary: 'ok',
        },
      },
    ]);
  }
  decisions.push([
    {
      type: 'InvestigationCompleted',
      data: {
        investigationId: inv,
        anchor: t(start),
        report: {
          family: 'crashloop',
          classification: 'actionable',
          summary: 's',
          scores: { impact: { value: 60 }, confidence: { value: 70 }, noise: { value: 10 } },
        },
      },
    },
  ]);
  decisions.push([
    {
      type: 'AlertResolved',
      data: { fingerprint: fp, episode: 1, startsAt: t(start), endsAt: t(start + 600_000) },
    },
  ]);
  return { aggregate: `case.${fp}`, decisions };
}

console.log(`appending ${fmt(cases * perCase)} events over ${fmt(cases)} cases ...`);
const t0 = performance.now();
let nextCase = 0;
let events = 0;
await Promise.all(
  Array.from({ length: 128 }, async () => {
    while (nextCase < cases) {
      const { aggregate, decisions } = history(nextCase++);
      let version = 0;
      for (const d of decisions) {
        version = (await store.append(aggregate, d, { expectedVersion: version, commandId: randomUUID() }))
          .seq;
        events += d.length;
      }
    }
  }),
);
console.log(`appended ${fmt(events)} events in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
await nc.close();

/** Times one `tarka replay` process (start-up included), after flushing the append phase's writes. */
async function timeReplay(...names) {
  execFileSync('sync');
  const r0 = performance.now();
  const code = await new Promise((res) =>
    spawn(process.execPath, [join(root, 'dist/cli/main.js'), 'replay', ...names], {
      env: { ...env, NODE_OPTIONS: process.env.NODE_OPTIONS ?? nodeOptions('replay') },
      stdio: ['ignore', 'inherit', 'ignore'], // the summary lines, not the progress bars
    }).on('exit', res),
  );
  if (code !== 0) throw new Error(`tarka replay exited with ${code}`);
  return (performance.now() - r0) / 1000;
}

// The cases read model alone (what replay rebuilt before there were others), then every one.
const cases1 = await timeReplay('cases');
console.log(
  `tarka replay cases (whole process, including start-up): ${cases1.toFixed(2)} s → ${fmt(events / cases1)} events/s (target >= 30,000)`,
);
const all = await timeReplay();
console.log(
  `tarka replay, all read models over one read of the log (whole process): ${all.toFixed(2)} s → ${fmt(events / all)} events/s`,
);

await dropBenchResources(env);
