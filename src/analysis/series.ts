// Small numeric helpers over Prometheus results. Points are [unixSeconds, value].

import type { InstantData, RangeData } from '../collectors/evidence.js';

type Points = [number, number][];

const finite = (v: number) => Number.isFinite(v);

export function lastValue(points: Points): number | null {
  for (let i = points.length - 1; i >= 0; i--) {
    const v = points[i]![1];
    if (finite(v)) return v;
  }
  return null;
}

export function maxOf(points: Points): number | null {
  let max: number | null = null;
  for (const [, v] of points) if (finite(v) && (max === null || v > max)) max = v;
  return max;
}

export function minOf(points: Points): number | null {
  let min: number | null = null;
  for (const [, v] of points) if (finite(v) && (min === null || v < min)) min = v;
  return min;
}

/** Increase of a counter across the points, tolerating resets (a drop means the counter restarted). */
export function counterIncrease(points: Points): number {
  let total = 0;
  for (let i = 1; i < points.length; i++) {
    const prev = points[i - 1]![1];
    const cur = points[i]![1];
    if (!finite(prev) || !finite(cur)) continue;
    total += cur >= prev ? cur - prev : cur;
  }
  return total;
}

/** Typical spacing between points (seconds). */
export function medianStep(points: Points): number | null {
  if (points.length < 2) return null;
  const gaps = points
    .slice(1)
    .map((p, i) => p[0] - points[i]![0])
    .filter((g) => g > 0)
    .sort((a, b) => a - b);
  return gaps.length ? gaps[Math.floor(gaps.length / 2)]! : null;
}

/**
 * Contiguous runs of points. An alert expression only returns points while it is true, so each
 * run is one firing episode; several runs in a window mean the alert flaps.
 */
export function segments(points: Points, step?: number): { start: number; end: number }[] {
  if (!points.length) return [];
  const s = step ?? medianStep(points) ?? 60;
  const out: { start: number; end: number }[] = [];
  let start = points[0]![0];
  let prev = start;
  for (const [t] of points.slice(1)) {
    if (t - prev > 2.5 * s) {
      out.push({ start, end: prev });
      start = t;
    }
    prev = t;
  }
  out.push({ start, end: prev });
  return out;
}

/** Least-squares slope in value units per second; null with fewer than 3 points. */
export function slope(points: Points): number | null {
  const pts = points.filter(([, v]) => finite(v));
  if (pts.length < 3) return null;
  const n = pts.length;
  const mx = pts.reduce((a, [t]) => a + t, 0) / n;
  const my = pts.reduce((a, [, v]) => a + v, 0) / n;
  let num = 0;
  let den = 0;
  for (const [t, v] of pts) {
    num += (t - mx) * (v - my);
    den += (t - mx) ** 2;
  }
  return den === 0 ? null : num / den;
}

/** All points of all series, for whole-result maxima. */
export function allPoints(data: RangeData): Points {
  return data.series.flatMap((s) => s.points);
}

export function instantMax(data: InstantData): number | null {
  const vals = data.series.map((s) => s.value).filter(finite);
  return vals.length ? Math.max(...vals) : null;
}

/** Union of all series' point timestamps, sorted: when did the expression return anything. */
export function unionTimes(data: RangeData): Points {
  const ts = new Set<number>();
  for (const s of data.series) for (const [t] of s.points) ts.add(t);
  return [...ts].sort((a, b) => a - b).map((t) => [t, 1] as [number, number]);
}
