// Requests failing with server errors (and, as a sub-kind, slow requests).

import { errorsByCode, rangeStats } from '../facts.js';
import { hypothesis } from '../hypotheses.js';
import { EV } from '../ids.js';
import { q } from '../queries.js';
import { pct } from '../text.js';
import { capacityHypotheses, planWorkloadRestarts } from './shared.js';
import type { FamilyModule, H } from './types.js';

const scrapeOf = (labels: Record<string, string>) => {
  const scrape: Record<string, string> = {};
  for (const k of ['namespace', 'job', 'service'] as const) if (labels[k]) scrape[k] = labels[k];
  return scrape;
};

export const http5xx: FamilyModule = {
  family: 'http_5xx',
  label: 'HTTP errors',
  impact: [20, 'requests are failing for users or callers'],
  namePatterns: [
    { re: /latency|slow|duration|p9[059]\b/i, sub: 'latency', order: 40 },
    {
      re: /5xx|error.?(rate|ratio|budget)|http.*err|errors?high|burn.?rate|availability/i,
      sub: null,
      order: 50,
    },
  ],
  exprPatterns: [{ re: /code=~?"5|status=~?"5|_5xx|http_server_errors/, sub: null, order: 50 }],
  workloadObject: true,
  guessWorkloadFromService: true,
  plan: (p) => {
    const { labels } = p;
    const scrape = scrapeOf(labels);
    const what = labels.service ?? labels.job ?? '';
    if (labels.job || labels.service) {
      const ns = labels.namespace;
      p.range(EV.errorRatio, `HTTP 5xx ratio of ${ns ? `${ns}/` : ''}${what}`, q.http5xxRatio(scrape));
      p.instant(EV.errorsByCode, `HTTP 5xx rate by status code of ${what}`, q.http5xxByCode(scrape));
      if (p.sub === 'latency') p.range(EV.latency, `p99 latency of ${what}`, q.httpLatencyP99(scrape));
    }
    planWorkloadRestarts(p);
  },
  symptoms: [EV.errorRatio],
  hypotheses: (ctx) => {
    const out: H[] = [];
    const ratio = rangeStats(ctx.evidence, EV.errorRatio);
    const codes = errorsByCode(ctx.evidence);
    const ratioText = ratio ? `5xx ratio ${pct(ratio.value.latest)} now, peak ${pct(ratio.value.peak)}` : '';
    const top = codes?.value[0];
    if (codes && top) {
      const gateway = ['502', '503', '504'].includes(top.code);
      out.push(
        hypothesis(
          ctx,
          gateway ? 'http.upstream' : 'http.app_errors',
          gateway
            ? `Gateway/availability errors dominate (${top.code}): backends unavailable, overloaded or timing out`
            : `Application errors dominate (${top.code}): a code path or dependency call is failing`,
          gateway ? 60 : 55,
          `${ratioText ? `${ratioText}; ` : ''}by code: ${codes.value
            .slice(0, 4)
            .map((c) => `${c.code} ${c.rate.toPrecision(3)}/s`)
            .join(', ')}.`,
          [codes.item, ratio?.item],
        ),
      );
    }
    out.push(...capacityHypotheses(ctx, 'Backend'));
    return out;
  },
  promqlSteps: ({ ctx, labels, scrape, step }) => {
    const out = [];
    if (labels.job || labels.service) {
      out.push(step('promql', '5xx ratio', q.http5xxRatio(scrape), 'Is it still failing, and how much?'));
      out.push(
        step(
          'promql',
          '5xx by status code',
          q.http5xxByCode(scrape),
          '502/503/504 point at backends; 500 at the application.',
        ),
      );
    }
    const w = ctx.target.workload;
    if (labels.namespace && w)
      out.push(
        step(
          'promql',
          `Restarts across pods of ${w.kind} ${w.name}`,
          q.workloadRestarts(labels.namespace, w.name),
          'Restarting backends cause errors.',
        ),
      );
    return out;
  },
};
