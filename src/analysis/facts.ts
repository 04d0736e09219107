// Facts read out of evidence items: numbers and states with the item they came from, so every
// claim built on them can cite it. A fact is null when its evidence is missing or not ok.

import type { ContainerState, EvidenceItem, WorkloadData } from '../collectors/evidence.js';
import type { Window } from './alert.js';
import { EV } from './ids.js';
import {
  allPoints,
  counterIncrease,
  instantMax,
  lastValue,
  maxOf,
  minOf,
  segments,
  slope,
  unionTimes,
} from './series.js';
import { view } from './view.js';

type Ev = readonly EvidenceItem[];
export interface Fact<T> {
  value: T;
  item: EvidenceItem;
}

export function restartsInWindow(ev: Ev): Fact<number> | null {
  const r = view.range(ev, EV.restarts);
  if (!r) return null;
  return { value: r.data.series.reduce((a, s) => a + counterIncrease(s.points), 0), item: r.item };
}

export function memoryUsage(
  ev: Ev,
): Fact<{ peak: number; latest: number; growthPerHour: number | null }> | null {
  const r = view.range(ev, EV.memory);
  if (!r || !r.data.series.length) return null;
  // The busiest container speaks for the pod when the alert names no container.
  const s = [...r.data.series].sort((a, b) => (maxOf(b.points) ?? 0) - (maxOf(a.points) ?? 0))[0]!;
  const peak = maxOf(s.points);
  const latest = lastValue(s.points);
  if (peak === null || latest === null) return null;
  const sl = slope(s.points);
  return { value: { peak, latest, growthPerHour: sl === null ? null : sl * 3600 }, item: r.item };
}

export function instantValue(ev: Ev, id: string): Fact<number> | null {
  const r = view.instant(ev, id);
  const v = r ? instantMax(r.data) : null;
  return r && v !== null ? { value: v, item: r.item } : null;
}

/** Label values of series that are set, e.g. the `reason` of kube_pod_container_status_*_reason. */
export function activeLabel(ev: Ev, id: string, label: string): Fact<string[]> | null {
  const r = view.instant(ev, id);
  if (!r) return null;
  const vals = r.data.series
    .filter((s) => s.value > 0)
    .flatMap((s) => (s.labels[label] ? [s.labels[label]] : []));
  return vals.length ? { value: [...new Set(vals)], item: r.item } : null;
}

export function containersOf(ev: Ev, container: string | null): Fact<ContainerState[]> | null {
  const p = view.pod(ev, EV.pod);
  if (!p) return null;
  const match = container ? p.data.containers.filter((c) => c.name === container) : [];
  return { value: match.length ? match : p.data.containers, item: p.item };
}

export function rangeStats(ev: Ev, id: string): Fact<{ latest: number; peak: number; min: number }> | null {
  const r = view.range(ev, id);
  if (!r) return null;
  const pts = allPoints(r.data);
  const peak = maxOf(pts);
  const min = minOf(pts);
  // Latest across series: the max of each series' last value (worst current state).
  const lasts = r.data.series.map((s) => lastValue(s.points)).filter((v): v is number => v !== null);
  if (peak === null || min === null || !lasts.length) return null;
  return { value: { latest: Math.max(...lasts), peak, min }, item: r.item };
}

export function errorsByCode(ev: Ev): Fact<{ code: string; rate: number }[]> | null {
  const r = view.instant(ev, EV.errorsByCode);
  if (!r || !r.data.series.length) return null;
  const codes = r.data.series
    // The status label is whatever the request counter calls it (code, status, response_code…).
    .map((s) => ({
      code: s.labels.code ?? s.labels.status ?? s.labels.response_code ?? Object.values(s.labels)[0] ?? '?',
      rate: s.value,
    }))
    .filter((c) => Number.isFinite(c.rate))
    .sort((a, b) => b.rate - a.rate);
  return { value: codes, item: r.item };
}

export function workloadRestarts(ev: Ev): Fact<{ pods: number; restarting: number; total: number }> | null {
  const r = view.range(ev, EV.workloadRestarts);
  if (!r) return null;
  const inc = r.data.series.map((s) => counterIncrease(s.points));
  return {
    value: {
      pods: inc.length,
      restarting: inc.filter((v) => v > 0).length,
      total: inc.reduce((a, b) => a + b, 0),
    },
    item: r.item,
  };
}

export function workload(ev: Ev): Fact<WorkloadData> | null {
  const w = view.workload(ev, EV.workload);
  return w ? { value: w.data, item: w.item } : null;
}

/** Scrape targets: how many series, how many currently down (last value 0). */
export function upTargets(ev: Ev): Fact<{ total: number; down: number; downNames: string[] }> | null {
  const r = view.range(ev, EV.up);
  if (!r) return null;
  const down = r.data.series.filter((s) => lastValue(s.points) === 0);
  return {
    value: {
      total: r.data.series.length,
      down: down.length,
      downNames: down.map((s) => s.labels.pod ?? s.labels.instance ?? '?'),
    },
    item: r.item,
  };
}

export function jobCounts(
  ev: Ev,
): Fact<{ failed: number | null; succeeded: number | null; active: number | null }> | null {
  const r = view.range(ev, EV.jobStatus);
  if (!r) return null;
  // The last sample of each series: the Job's state when it was last seen.
  const get = (metric: string) => {
    const s = r.data.series.find((x) => x.labels.__name__ === metric);
    return s ? lastValue(s.points) : null;
  };
  return {
    value: {
      failed: get('kube_job_status_failed'),
      succeeded: get('kube_job_status_succeeded'),
      active: get('kube_job_status_active'),
    },
    item: r.item,
  };
}

/** Active node conditions from the Kubernetes API, else from kube-state-metrics. */
export function nodeConditions(
  ev: Ev,
): Fact<{ type: string; status: string; reason?: string; message?: string }[]> | null {
  const n = view.node(ev, EV.node);
  if (n) return { value: n.data.conditions, item: n.item };
  const r = view.instant(ev, EV.nodeConditions);
  if (!r) return null;
  return {
    value: r.data.series
      .filter((s) => s.value > 0 && s.labels.condition)
      .map((s) => ({ type: s.labels.condition!, status: 'True' })),
    item: r.item,
  };
}

export interface AlertActivity {
  /** Firing episodes seen in the window. */
  episodes: number;
  firingMinutes: number;
  /** True when the expression still returned data at the end of the window. */
  activeAtEnd: boolean;
}

/**
 * Series of the rule expression that belong to this alert: a rule returns one series per alert
 * instance, and the others (other pods, namespaces) say nothing about this one. A series belongs
 * when every label it shares with the alert has the alert's value.
 */
export function ownSeries<S extends { labels: Record<string, string> }>(
  series: readonly S[],
  alertLabels: Record<string, string> | undefined,
): S[] {
  if (!alertLabels) return [...series];
  return series.filter((s) =>
    Object.entries(s.labels).every(
      ([k, v]) => k === '__name__' || !(k in alertLabels) || alertLabels[k] === v,
    ),
  );
}

/** When the alert's own expression was true over the window (it returns data only while true). */
export function alertActivity(
  ev: Ev,
  window: Window,
  alertLabels?: Record<string, string>,
): Fact<AlertActivity> | null {
  const r = view.range(ev, EV.alertExpr);
  if (!r) return null;
  const own = ownSeries(r.data.series, alertLabels);
  if (!own.length) return null;
  const times = unionTimes({ ...r.data, series: own });
  const segs = segments(times);
  const step = times.length > 1 ? (times[times.length - 1]![0] - times[0]![0]) / (times.length - 1) : 60;
  const firingMinutes = segs.reduce((a, s) => a + (s.end - s.start + step) / 60, 0);
  const end = Date.parse(window.end) / 1000;
  const last = times[times.length - 1]?.[0] ?? 0;
  return {
    value: { episodes: segs.length, firingMinutes, activeAtEnd: end - last <= Math.max(3 * step, 180) },
    item: r.item,
  };
}
