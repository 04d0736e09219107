// A container that keeps crashing and being restarted (CrashLoopBackOff).

import { EV } from '../ids.js';
import { q } from '../queries.js';
import {
  exitCodeHypothesis,
  planContainerState,
  planMemory,
  planWorkloadRestarts,
  podSteps,
  siblingsHypothesis,
} from './shared.js';
import type { FamilyModule } from './types.js';

export const crashloop: FamilyModule = {
  family: 'crashloop',
  label: 'Crash loop',
  impact: [10, 'a container keeps crashing'],
  alertNames: { KubePodCrashLooping: null },
  reasons: (r) => (r === 'CrashLoopBackOff' ? null : undefined),
  namePatterns: [{ re: /crash.?loop|restart/i, sub: null, order: 30 }],
  exprPatterns: [
    {
      re: /waiting_reason[^}]*CrashLoopBackOff|kube_pod_container_status_restarts_total/,
      sub: null,
      order: 30,
    },
  ],
  refine: [
    {
      order: 40,
      claim: (f, prelim) => {
        if (prelim === 'memory_pressure') return null;
        const backoff = f.waiting.find((w) => w.reason === 'CrashLoopBackOff');
        return backoff ? { sub: null, why: `waiting reason CrashLoopBackOff in ${backoff.src}` } : null;
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
  symptoms: [EV.restarts, EV.workloadRestarts],
  hypotheses: (ctx) => [exitCodeHypothesis(ctx), siblingsHypothesis(ctx)],
  promqlSteps: (s) => {
    const out = podSteps(s);
    const ns = s.labels.namespace;
    const w = s.ctx.target.workload;
    if (ns && w)
      out.push(
        s.step(
          'promql',
          `Restarts across pods of ${w.kind} ${w.name}`,
          q.workloadRestarts(ns, w.name),
          'One pod or all of them?',
        ),
      );
    return out;
  },
};
