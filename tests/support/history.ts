import { randomUUID } from 'node:crypto';
import type { CaseCommandHandler } from '../../src/commands/case/handler.js';
import type { CaseCommand } from '../../src/commands/case/commands.js';

/** Small deterministic PRNG, so a failing history can be reproduced from its seed. */
export function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const severities = ['critical', 'warning', 'info'];
const namespaces = ['payments', 'shop', 'search', 'kube-system'];
const alertnames = ['KubePodCrashLooping', 'HTTP5xxRateHigh', 'CPUThrottlingHigh', 'KubeJobFailed'];

/** Drives random but realistic case histories through the real command handler. */
export async function randomHistory(
  handler: CaseCommandHandler,
  opts: { cases: number; steps: number; seed: number },
) {
  const rand = rng(opts.seed);
  const pick = <T>(xs: T[]) => xs[Math.floor(rand() * xs.length)]!;
  const cases = Array.from({ length: opts.cases }, (_, i) => ({
    id: `h${opts.seed.toString(36)}x${i}`,
    labels: {
      alertname: pick(alertnames),
      namespace: pick(namespaces),
      severity: pick(severities),
      pod: `pod-${i}`,
    },
    startMs: Date.UTC(2026, 10, 1) + i * 1000,
    firing: false,
    inv: '',
    attempt: 0,
  }));
  let completions = 0;
  for (let step = 0; step < opts.steps; step++) {
    const c = pick(cases);
    const r = rand();
    let cmd: CaseCommand;
    if (r < 0.45 || !c.firing) {
      if (!c.firing && r < 0.45) c.startMs += 3_600_000; // a new episode
      c.firing = true;
      cmd = alert(c, 'firing');
      c.inv = `${c.id}-${c.startMs}`;
      c.attempt = 0;
    } else if (r < 0.65) {
      c.firing = false;
      cmd = alert(c, 'resolved');
    } else if (r < 0.75) {
      cmd = {
        type: 'SnoozeCase',
        until: new Date(Date.UTC(2027, 0, 1)).toISOString(),
        now: new Date(Date.UTC(2026, 10, 2)).toISOString(),
        by: 'ana',
        note: null,
      };
    } else if (r < 0.85) {
      cmd = { type: 'ResolveCase', category: pick(['fixed', 'noise', 'duplicate']), note: 'n', by: 'bo' };
    } else if (r < 0.93) {
      cmd = { type: 'ReopenCase', by: 'bo', note: null };
    } else if (r < 0.96 && c.inv) {
      // A worker's part: start (again, as after a crash), a step, sometimes the report.
      c.attempt++;
      const at = new Date(c.startMs).toISOString();
      await handler.handle(
        c.id,
        { type: 'StartInvestigation', investigationId: c.inv, worker: 'w', attempt: c.attempt },
        randomUUID(),
      );
      await handler.handle(
        c.id,
        {
          type: 'RecordInvestigationStep',
          investigationId: c.inv,
          step: 'plan',
          status: 'done',
          startedAt: at,
          durationMs: 3,
          summary: 'planned',
          detail: { n: c.attempt },
        },
        randomUUID(),
      );
      cmd =
        rand() < 0.5
          ? {
              type: 'CompleteInvestigation',
              investigationId: c.inv,
              anchor: at,
              report: {
                family: pick(['crashloop', 'http_5xx']),
                classification: 'actionable',
                summary: 's',
                scores: { impact: { value: 50 } },
              },
            }
          : {
              type: 'FailInvestigation',
              investigationId: c.inv,
              error: 'boom',
              final: rand() < 0.5,
              attempts: c.attempt,
            };
    } else {
      c.inv = randomUUID();
      c.attempt = 0;
      cmd = { type: 'RequestInvestigation', investigationId: c.inv, by: 'cy' };
    }
    await handler.handle(c.id, cmd, randomUUID()).catch((e: { code?: string }) => {
      if (e.code !== 'TARKA_BAD_REQUEST') throw e; // e.g. snoozing a closed case: refused, as it should be
    });
    if (cmd.type === 'CompleteInvestigation' && ++completions % 2 === 0) {
      // Every other report is re-derived (`tarka reanalyze`) to another family; no rand() drawn,
      // so the rest of a seeded history stays as it was.
      const family = cmd.report.family === 'crashloop' ? 'oom_killed' : 'crashloop';
      await handler.handle(
        c.id,
        {
          type: 'ReviseReport',
          investigationId: cmd.investigationId,
          anchor: cmd.anchor,
          version: 2,
          report: { ...cmd.report, family, classification: 'noisy' },
          reason: 'history',
          tarkaVersion: '0.0.0',
          previous: {
            version: 1,
            family: cmd.report.family ?? null,
            classification: 'actionable',
            topHypothesis: null,
          },
        },
        `revise:${cmd.investigationId}:v2`,
      );
    }
  }
  return cases.map((c) => c.id);
}

function alert(
  c: { id: string; labels: Record<string, string>; startMs: number },
  status: 'firing' | 'resolved',
): CaseCommand {
  return {
    type: 'ReceiveAlert',
    alert: {
      fingerprint: c.id,
      status,
      labels: c.labels,
      annotations: { summary: `summary of ${c.id}` },
      startsAt: new Date(c.startMs).toISOString(),
      endsAt: status === 'resolved' ? new Date(c.startMs + 60_000).toISOString() : null,
      generatorURL: null,
    },
    notification: { receiver: 'tarka', groupKey: null, truncatedAlerts: 0, reason: null },
    investigationId: `${c.id}-${c.startMs}`,
  };
}
