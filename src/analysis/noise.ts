// Noise read from the alert's own history and surroundings: an alert that keeps starting and
// stopping (flapping), a ratio computed over a handful of requests, throttling of an idle container
// with a tiny limit, and siblings of the same workload that someone already silenced. Each signal
// carries its numbers and a hypothesis citing the evidence (and query) behind them.

import { selector } from '../collectors/promql.js';
import { silenceMatches } from './blast.js';
import { alertActivity, instantValue, rangeStats } from './facts.js';
import { hypothesis } from './claim.js';
import type { Ctx } from './model.js';
import { EV } from './ids.js';
import { segments, unionTimes } from './series.js';
import { subjectLabels, workloadFromLabels } from './target.js';
import { oneLine, pct, plural } from './text.js';
import type { Hypothesis } from '../contract/report.js';
import { view } from './view.js';

export interface NoiseSignal {
  factor: string;
  points: number;
  why: string;
  hypothesis: Hypothesis | null;
}

// Labels that identify an alert instance. Only these select its ALERTS series: the alert also
// carries Prometheus' external labels (cluster, region, replica…), which the stored series lack
// and whose names vary by installation.
const IDENTITY = [
  'alertname',
  'severity',
  'namespace',
  'pod',
  'container',
  'service',
  'job',
  'instance',
  'node',
  'deployment',
  'statefulset',
  'daemonset',
  'job_name',
  'cronjob',
  'persistentvolumeclaim',
  'mountpoint',
  'device',
  'endpoint',
  'ingress',
  'integration',
  'rule_group',
  'remote_name',
  'queue',
  'topic',
  'consumergroup',
];

/** Selector for this alert's own ALERTS / ALERTS_FOR_STATE series (values escaped). */
export function alertSeriesSelector(
  labels: Record<string, string>,
  extra: Record<string, string> = {},
): string {
  const m: Record<string, string> = {};
  for (const k of IDENTITY) if (labels[k] !== undefined) m[k] = labels[k];
  return selector({ ...m, ...extra });
}

export const noiseQueries = {
  /** When this alert was firing over the window (one series per alert instance). */
  history: (labels: Record<string, string>) =>
    `ALERTS${alertSeriesSelector(labels, { alertstate: 'firing' })}`,
  /** How often the alert (re)started in a day: its activeAt changes once per new episode. */
  starts: (labels: Record<string, string>) => `changes(ALERTS_FOR_STATE${alertSeriesSelector(labels)}[24h])`,
};

/** Flapping: many short episodes in the alert's own series or its rule expression. */
function flapping(ctx: Ctx): NoiseSignal | null {
  const starts = instantValue(ctx.evidence, EV.alertStarts);
  const hist = view.range(ctx.evidence, EV.alertHistory);
  const times = hist ? unionTimes(hist.data) : [];
  const segs = segments(times);
  const step = times.length > 1 ? (times[times.length - 1]![0] - times[0]![0]) / (times.length - 1) : 60;
  const durations = segs.map((s) => (s.end - s.start + step) / 60).sort((a, b) => a - b);
  const median = durations.length ? durations[Math.floor(durations.length / 2)]! : null;
  const act = alertActivity(ctx.evidence, ctx.window, ctx.alert.labels);
  const perDay = starts ? Math.round(starts.value) + 1 : null;
  const inWindow = Math.max(segs.length, act?.value.episodes ?? 0);
  const flaps = (perDay !== null && perDay >= 6) || inWindow >= 3;
  if (!flaps) return null;
  const parts = [
    perDay !== null ? `started ${plural(perDay, 'time')} in 24 h` : null,
    inWindow ? `${plural(inWindow, 'separate episode')} in the window` : null,
    median !== null ? `median episode ${Math.max(1, Math.round(median))} min` : null,
  ].filter(Boolean);
  const why = `the alert flaps: ${parts.join(', ')}`;
  return {
    factor: 'flapping',
    points: 50,
    why,
    hypothesis: hypothesis(
      ctx,
      'noise.flapping',
      `Flapping alert: ${parts.join(', ')}`,
      70,
      `The condition keeps crossing the threshold and clearing again, so each page reports a state that is gone minutes later. Unless a cause below explains the episodes, tune the rule (a longer \`for:\`, hysteresis, a wider window) rather than chase each one.`,
      [starts?.item, hist?.item, act?.item],
    ),
  };
}

/** A 5xx ratio resting on a handful of requests. */
function lowVolume(ctx: Ctx): NoiseSignal | null {
  const total = instantValue(ctx.evidence, EV.requestVolume);
  if (!total) return null;
  const errors = instantValue(ctx.evidence, EV.errorVolume);
  const e = errors?.value ?? 0;
  const t = total.value;
  if (t >= 500 || e >= 20) return null;
  const minutes = Math.max(1, (Date.parse(ctx.window.end) - Date.parse(ctx.window.start)) / 60_000);
  const ratio = rangeStats(ctx.evidence, EV.errorRatio);
  const numbers = `${Math.round(e)} failed of ${Math.round(t)} requests in ${Math.round(minutes)} min (${(t / minutes).toFixed(1)} req/min)`;
  return {
    factor: 'tiny denominator',
    points: 50,
    why: `the error ratio${ratio ? ` (peak ${pct(ratio.value.peak)})` : ''} rests on ${numbers}`,
    hypothesis: hypothesis(
      ctx,
      'noise.low_volume',
      `Ratio over a tiny denominator: ${numbers}`,
      72,
      `With this little traffic one or two failed requests swing the ratio across the threshold. Check those requests (a probe, a bot, one client) and add a minimum request rate to the rule, e.g. \`and sum(rate(...[5m])) > 1\`.`,
      [total.item, errors?.item, ratio?.item],
    ),
  };
}

/** CPU throttling of a container that hardly uses CPU: a tiny limit, not a starved workload. */
export function idleThrottling(ctx: Ctx): NoiseSignal | null {
  const thr = rangeStats(ctx.evidence, EV.throttling);
  const usage = rangeStats(ctx.evidence, EV.cpuUsage);
  if (!thr || !usage) return null;
  const secs = rangeStats(ctx.evidence, EV.throttledSeconds);
  const limit = instantValue(ctx.evidence, EV.cpuLimit);
  const idle = usage.value.peak < 0.1 && (secs ? secs.value.peak < 0.1 : (limit?.value ?? 1) <= 0.25);
  if (!idle) return null;
  const numbers = `${pct(thr.value.peak)} of periods throttled, but only ${secs ? `${Math.round(secs.value.peak * 1000)} ms of throttling per second` : 'a tiny limit'} at ${(usage.value.peak * 1000).toFixed(0)}m CPU used${limit ? ` (limit ${(limit.value * 1000).toFixed(0)}m)` : ''}`;
  return {
    factor: 'idle throttling',
    points: 50,
    why: `idle container: ${numbers}`,
    hypothesis: hypothesis(
      ctx,
      'noise.idle_throttling',
      `Idle container with a tiny CPU limit: ${numbers}`,
      78,
      'The throttled share is high because each short burst (a health check, a log flush) exceeds a very small quota, yet the time lost is negligible and nothing waits on it. Raise the limit a little or exclude low-usage containers from the rule; it is not a capacity problem.',
      [thr.item, usage.item, secs?.item, limit?.item],
    ),
  };
}

const INSTANCE = new Set(['pod', 'instance', 'node', 'uid', 'pod_ip', 'host', 'hostname']);

/** Active silences for the same alert on other instances of the same workload. */
function silencedSiblings(ctx: Ctx): NoiseSignal | null {
  const found = view.silences(ctx.evidence, EV.amSilences);
  if (!found) return null;
  const labels = ctx.alert.labels;
  const mine = workloadFromLabels(subjectLabels(labels))?.name ?? null;
  const t = Date.parse(ctx.now);
  const siblings = found.data.silences.filter((s) => {
    if (Date.parse(s.endsAt) <= t || silenceMatches(s, labels)) return false;
    const scope = s.matchers.filter((m) => !INSTANCE.has(m.name));
    const instance = s.matchers.filter((m) => INSTANCE.has(m.name));
    // Same alert, same namespace and scope labels; only instance labels differ.
    if (!scope.some((m) => m.name === 'namespace') || !silenceMatches({ ...s, matchers: scope }, labels))
      return false;
    // An instance matcher must name a sibling of this alert's workload, not an unrelated pod.
    return instance.every((m) => {
      if (m.name !== 'pod' || m.isRegex) return true;
      return !!mine && workloadFromLabels({ pod: m.value })?.name === mine;
    });
  });
  if (!siblings.length) return null;
  const ex = siblings[0]!;
  const what = `${plural(siblings.length, 'active silence')} mute this alert on other instances of ${mine ?? 'the same scope'} (e.g. ${ex.matchers
    .map((m) => `${m.name}${m.isRegex ? '=~' : '='}"${m.value}"`)
    .join(',')} by ${ex.createdBy}: "${ex.comment}")`;
  return {
    factor: 'silenced siblings',
    points: 50,
    why: oneLine(what, 230),
    hypothesis: hypothesis(
      ctx,
      'noise.silenced_siblings',
      oneLine(`Siblings already silenced: ${what}`, 200),
      65,
      `Someone has judged the same diagnosis on sibling instances not worth a page; this instance is most likely the same story. Read the silence's comment, and extend it or fix the rule instead of investigating each instance.`,
      [EV.amSilences],
    ),
  };
}

export function noiseSignals(ctx: Ctx): NoiseSignal[] {
  if (ctx.family.family === 'meta') return [];
  return [flapping(ctx), lowVolume(ctx), idleThrottling(ctx), silencedSiblings(ctx)].filter(
    (s): s is NoiseSignal => s !== null,
  );
}
