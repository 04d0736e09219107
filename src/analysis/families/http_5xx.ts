// Requests failing with server errors (and, as a sub-kind, slow requests).

import { selector } from '../../collectors/promql.js';
import { alertExpression } from '../alert.js';
import { errorsByCode, rangeStats } from '../facts.js';
import { hypothesis } from '../claim.js';
import { EV } from '../ids.js';
import { q } from '../queries.js';
import { pct } from '../text.js';
import { capacityHypotheses, planWorkloadRestarts, probeHypotheses } from './shared.js';
import type { FamilyModule, H } from './types.js';

const scrapeOf = (labels: Record<string, string>) => {
  const scrape: Record<string, string> = {};
  for (const k of ['namespace', 'job', 'service'] as const) if (labels[k]) scrape[k] = labels[k];
  return scrape;
};

/**
 * The request counter and its status label as the alert's own rule names them (ingress-nginx,
 * Istio, Envoy, Traefik… each has its own), so volumes are read from what the alert measured.
 */
export function requestMetric(expr: string | null): { metric: string; code: string } {
  // The series the rule selects server errors from, e.g. `foo_requests_total{status=~"5.."}`.
  const direct = expr?.match(
    /([a-zA-Z_:][a-zA-Z0-9_:]*)\s*\{[^}]*?\b(code|status|status_code|response_code|code_class)\s*=~?\s*"5/,
  );
  if (direct) return { metric: direct[1]!, code: direct[2]! };
  const metric =
    expr?.match(/\b([a-zA-Z_:][a-zA-Z0-9_:]*requests?(?:_total|_count)?)\b/)?.[1] ?? 'http_requests_total';
  const code = metric.startsWith('istio_')
    ? 'response_code'
    : metric.startsWith('nginx_')
      ? 'status'
      : 'code';
  return { metric, code };
}

/**
 * Which of the alert's labels scope the requests: those the rule aggregates by (so the query
 * covers exactly what the alert measured), else namespace, job and service.
 */
export function requestScope(expr: string | null, labels: Record<string, string>): Record<string, string> {
  const by = [...(expr ?? '').matchAll(/\bby\s*\(([^)]*)\)/g)].flatMap((m) =>
    m[1]!
      .split(',')
      .map((x) => x.trim())
      .filter(Boolean),
  );
  const scope: Record<string, string> = {};
  // External labels (cluster, prometheus) are on the alert but not on the stored series.
  const external = new Set(['cluster', 'prometheus', 'prometheus_replica', 'replica']);
  for (const k of by)
    if (labels[k] && !external.has(k) && /^[a-zA-Z_][a-zA-Z0-9_]*$/.test(k)) scope[k] = labels[k];
  return Object.keys(scope).length ? scope : scrapeOf(labels);
}

const hq = {
  ratio: (r: { metric: string; code: string }, m: Record<string, string>) =>
    `sum(rate(${r.metric}${selector({ ...m, [r.code]: { re: '5..' } })}[5m])) / sum(rate(${r.metric}${selector(m)}[5m]))`,
  byCode: (r: { metric: string; code: string }, m: Record<string, string>) =>
    `sum by (${r.code}) (rate(${r.metric}${selector({ ...m, [r.code]: { re: '5..' } })}[5m]))`,
  volume: (r: { metric: string; code: string }, m: Record<string, string>, lb: string, errorsOnly = false) =>
    `sum(increase(${r.metric}${selector(errorsOnly ? { ...m, [r.code]: { re: '5..' } } : m)}[${lb}]))`,
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
  podEventsOfWorkload: true,
  plan: (p) => {
    const { labels } = p;
    const expr = alertExpression(p.alert.generatorURL);
    const scrape = requestScope(expr, labels);
    const what = labels.service ?? labels.job ?? labels.ingress ?? Object.values(scrape).join('/');
    if (labels.job || labels.service || Object.keys(scrape).length) {
      const ns = labels.namespace;
      const r = requestMetric(expr);
      p.range(EV.errorRatio, `HTTP 5xx ratio of ${ns ? `${ns}/` : ''}${what}`, hq.ratio(r, scrape));
      p.instant(EV.errorsByCode, `HTTP 5xx rate by status code of ${what}`, hq.byCode(r, scrape));
      // The denominator: a ratio over a handful of requests is noise.
      p.instant(EV.requestVolume, `Requests to ${what} in the window`, hq.volume(r, scrape, p.lb));
      p.instant(
        EV.errorVolume,
        `Failed (5xx) requests to ${what} in the window`,
        hq.volume(r, scrape, p.lb, true),
      );
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
    out.push(...probeHypotheses(ctx));
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
