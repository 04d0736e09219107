// A scrape target Prometheus cannot reach: the service is down, or only its metrics endpoint.

import { upTargets } from '../facts.js';
import { hypothesis } from '../claim.js';
import { EV } from '../ids.js';
import { q } from '../queries.js';
import { capacityHypotheses, planWorkloadRestarts, probeHypotheses } from './shared.js';
import type { FamilyModule, H } from './types.js';

export const targetDown: FamilyModule = {
  family: 'target_down',
  label: 'Target down',
  impact: [10, 'monitoring (and maybe the service) is blind or down'],
  alertNames: { TargetDown: null, KubeletDown: 'kubelet' },
  namePatterns: [
    // Before the monitoring-pipeline names: PrometheusTargetMissing is a target that is down.
    { re: /targets?.?(down|missing)/i, sub: null, order: 4 },
    { re: /(probe|endpoint|health.?check|blackbox).?(fail|down)/i, sub: 'probe', order: 115 },
    {
      re: /(target|instance|endpoint|service|scrape).?(down|missing|absent)|absent/i,
      sub: null,
      order: 120,
    },
    { re: /down$/i, sub: null, order: 130 },
  ],
  exprPatterns: [
    { re: /\bup\b\s*(\{[^}]*\})?\s*==\s*0|absent\(\s*up\b/, sub: null, order: 110 },
    { re: /probe_success\b[^=<>]*(==|<)\s*[01]?/, sub: 'probe', order: 111 },
  ],
  workloadObject: true,
  guessWorkloadFromService: true,
  podEventsOfWorkload: true,
  plan: (p) => {
    const { labels } = p;
    const scrape: Record<string, string> = {};
    for (const k of ['namespace', 'job', 'service'] as const) if (labels[k]) scrape[k] = labels[k];
    const what = labels.service ?? labels.job ?? '';
    if (labels.job || labels.service) p.range(EV.up, `Scrape health (up) of ${what}`, q.up(scrape));
    planWorkloadRestarts(p);
  },
  primary: { series: EV.up },
  symptoms: [EV.up],
  hypotheses: (ctx) => {
    const out: H[] = [];
    const up = upTargets(ctx.evidence);
    if (up && up.value.down > 0) {
      const all = up.value.down === up.value.total;
      out.push(
        hypothesis(
          ctx,
          all ? 'target.all_down' : 'target.some_down',
          all
            ? `All ${up.value.total} scrape targets are down: the service is down or unreachable from Prometheus`
            : `${up.value.down} of ${up.value.total} scrape targets down: ${up.value.downNames.slice(0, 3).join(', ')}`,
          all ? 70 : 60,
          all
            ? 'Every target fails its scrape: the pods are gone or not listening, the metrics port/path changed, or a NetworkPolicy blocks Prometheus.'
            : 'Some targets fail their scrape while others succeed: look at what the failing ones have in common (node, version, restarts).',
          [up.item],
        ),
      );
    }
    out.push(...probeHypotheses(ctx));
    out.push(...capacityHypotheses(ctx, 'Target'));
    return out;
  },
  promqlSteps: ({ labels, scrape, step }) =>
    labels.job || labels.service
      ? [
          step(
            'promql',
            'Targets currently down',
            `${q.up(scrape)} == 0`,
            'Which instances fail their scrape.',
          ),
        ]
      : [],
};
