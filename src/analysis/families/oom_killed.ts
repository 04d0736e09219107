// A container killed by the kernel for exceeding its memory limit (or the node running out).

import { activeLabel, instantValue, memoryUsage, restartsInWindow } from '../facts.js';
import { hypothesis } from '../claim.js';
import { EV } from '../ids.js';
import { q } from '../queries.js';
import { bytes, pct } from '../text.js';
import { view } from '../view.js';
import {
  crashContainer,
  leakHypothesis,
  planContainerState,
  planMemory,
  planWorkloadRestarts,
  podSteps,
} from './shared.js';
import type { FamilyModule, H } from './types.js';

export const oomKilled: FamilyModule = {
  family: 'oom_killed',
  label: 'OOM kill',
  impact: [10, 'a container is being killed'],
  reasons: (r) => (r === 'OOMKilled' ? null : undefined),
  namePatterns: [{ re: /oom|out.?of.?memory/i, sub: null, order: 20 }],
  exprPatterns: [
    { re: /last_terminated_reason[^}]*OOMKilled|container_oom_events_total/, sub: null, order: 20 },
  ],
  refine: [
    {
      order: 20,
      claim: (f) => {
        const oom = f.lastReasons.find((r) => r.reason === 'OOMKilled');
        return oom ? { sub: null, why: `last termination reason OOMKilled in ${oom.src}` } : null;
      },
    },
  ],
  podLevel: true,
  podSubject: true,
  workloadObject: true,
  previousLogs: true,
  podState: true,
  previousLogsStep: true,
  plan: (p) => {
    planContainerState(p);
    planMemory(p);
    planWorkloadRestarts(p);
  },
  primary: { series: EV.restarts, object: EV.pod },
  symptoms: [EV.restarts, EV.memory],
  hypotheses: (ctx) => {
    const out: H[] = [];
    const pod = crashContainer(ctx);
    const oomFromPod = pod?.c.lastTermination?.reason === 'OOMKilled' ? pod.fact.item : null;
    const oomFromProm = activeLabel(ctx.evidence, EV.lastTerminated, 'reason');
    const oomItem = oomFromPod ?? (oomFromProm?.value.includes('OOMKilled') ? oomFromProm.item : null);
    const mem = memoryUsage(ctx.evidence);
    const limit = instantValue(ctx.evidence, EV.memoryLimit);
    const restarts = restartsInWindow(ctx.evidence);
    const limitItem = view.instant(ctx.evidence, EV.memoryLimit)?.item ?? null;
    const limitAnswered = ctx.evidence.find(
      (e) => e.id === EV.memoryLimit && (e.status === 'ok' || e.status === 'empty'),
    );

    if (oomItem && mem && limit) {
      const ratio = mem.value.peak / limit.value;
      out.push(
        hypothesis(
          ctx,
          'oom.limit',
          `Container exceeds its memory limit: peak working set ${bytes(mem.value.peak)} of ${bytes(limit.value)} (${pct(ratio)})`,
          ratio >= 0.9 ? 90 : ratio >= 0.75 ? 78 : 65,
          `The kernel killed the container for exceeding its cgroup limit (last termination OOMKilled). ${ratio >= 0.9 ? 'Memory ran right up to the limit' : 'Sampled memory stayed below the limit, so a short allocation spike between scrapes crossed it'}; either the limit is too low for the workload or memory use grew (leak, bigger input, cache).`,
          [oomItem, mem.item, limit.item, restarts?.item],
        ),
      );
    } else if (oomItem && limitAnswered && !limit) {
      out.push(
        hypothesis(
          ctx,
          'oom.no_limit',
          'Container OOM-killed without a memory limit: the node ran out of memory',
          70,
          'No memory limit series exists for the container, so the kill came from node-level memory pressure; other pods on the node are likely affected too.',
          [oomItem, limitAnswered, mem?.item],
        ),
      );
    } else if (oomItem) {
      out.push(
        hypothesis(
          ctx,
          'oom.limit',
          'Container was OOM-killed (memory usage versus limit unknown)',
          70,
          'The last termination reason is OOMKilled; memory usage or the limit could not be read, so how close it ran is unknown.',
          [oomItem, restarts?.item, limitItem],
        ),
      );
    }
    out.push(leakHypothesis(ctx));
    return out;
  },
  promqlSteps: (s) =>
    podSteps(
      s,
      s.c
        ? [
            s.step(
              'promql',
              'Peak memory versus limit',
              q.memoryVsLimit(s.c, s.r),
              'A ratio near 1 means the limit is too low or memory grows.',
            ),
          ]
        : [],
    ),
};
