// A container whose CPU quota is exhausted within CFS periods, so it is paused (throttled).

import { selector } from '../../collectors/promql.js';
import { instantValue, rangeStats } from '../facts.js';
import { idleThrottling } from '../noise.js';
import { hypothesis } from '../claim.js';
import { EV } from '../ids.js';
import { q } from '../queries.js';
import { pct } from '../text.js';
import type { FamilyModule } from './types.js';

export const cpuThrottling: FamilyModule = {
  family: 'cpu_throttling',
  label: 'CPU throttling',
  impact: [5, 'throttling adds latency but does not fail requests by itself'],
  alertNames: { CPUThrottlingHigh: null },
  namePatterns: [{ re: /throttl/i, sub: null, order: 60 }],
  exprPatterns: [{ re: /container_cpu_cfs_throttled/, sub: null, order: 40 }],
  podSubject: true,
  workloadObject: true,
  plan: (p) => {
    const { c, where, lb } = p;
    if (!c) return;
    p.range(EV.throttling, `CPU throttling ratio of ${where}`, q.cpuThrottling(c));
    p.range(EV.cpuUsage, `CPU usage (cores) of ${where}`, q.cpuUsage(c));
    p.instant(EV.cpuLimit, `CPU limit of ${where}`, q.cpuLimit(c, lb));
    // Absolute time lost: a high ratio on an idle container costs nothing.
    p.range(
      EV.throttledSeconds,
      `Throttled seconds per second of ${where}`,
      `sum by (namespace, pod, container) (rate(container_cpu_cfs_throttled_seconds_total${selector({
        namespace: c.namespace,
        ...(c.pod ? { pod: c.pod } : {}),
        ...(c.container ? { container: c.container } : { container: { re: '.+' } }),
      })}[5m]))`,
    );
  },
  primary: { series: EV.throttling, object: EV.pod },
  symptoms: [EV.throttling],
  hypotheses: (ctx) => {
    const thr = rangeStats(ctx.evidence, EV.throttling);
    if (!thr) return [];
    // An idle container is explained by the noise signal (noise.ts); no capacity claim then.
    if (idleThrottling(ctx)) return [];
    const usage = rangeStats(ctx.evidence, EV.cpuUsage);
    const limit = instantValue(ctx.evidence, EV.cpuLimit);
    const t = `${pct(thr.value.latest)} of CFS periods throttled now (peak ${pct(thr.value.peak)})`;
    if (usage && limit && limit.value > 0) {
      const ratio = usage.value.peak / limit.value;
      if (ratio >= 0.8) {
        return [
          hypothesis(
            ctx,
            'cpu.limit_too_low',
            `CPU limit too low for demand: usage peaks at ${usage.value.peak.toFixed(2)} of ${limit.value} cores`,
            80,
            `${t}. Usage runs at ${pct(ratio)} of the limit, so the workload needs more CPU than it may use; expect added latency. Raise the limit (or remove it and rely on requests), or reduce work per pod.`,
            [thr.item, usage.item, limit.item],
          ),
        ];
      }
      return [
        hypothesis(
          ctx,
          'cpu.bursty',
          `Bursty CPU hits the quota: average ${usage.value.latest.toFixed(2)} cores is well below the ${limit.value}-core limit yet periods are throttled`,
          70,
          `${t}. Short bursts (many threads, GC, startup) exhaust the per-100ms quota even though average use is ${pct(ratio)} of the limit. Raising or removing the CPU limit helps; requests keep scheduling fair.`,
          [thr.item, usage.item, limit.item],
        ),
      ];
    }
    return [
      hypothesis(
        ctx,
        'cpu.throttled',
        `Container throttled: ${t}`,
        50,
        'Usage versus limit could not be read, so whether the limit is too low or the load bursty is unknown.',
        [thr.item],
      ),
    ];
  },
  promqlSteps: ({ c, r, step }) =>
    c
      ? [
          step(
            'promql',
            'Throttled share of CFS periods',
            q.cpuThrottling(c),
            'Sustained >25% adds latency.',
          ),
          step('promql', 'CPU usage (cores)', q.cpuUsage(c), 'Compare with the limit below.'),
          step(
            'promql',
            'CPU limit (cores)',
            q.cpuLimit(c, r),
            'Usage near this value means the limit is too low.',
          ),
        ]
      : [],
};
