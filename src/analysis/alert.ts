// The analysis input: one alert as Alertmanager sent it, plus the time window the evidence covers.

export interface AlertInput {
  fingerprint: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  /** ISO instant the alert started firing. */
  startsAt: string;
  /** Prometheus graph link; its `g0.expr` parameter is the rule's expression. */
  generatorURL: string | null;
}

/** ISO instants; evidence is collected for [start, end]. */
export interface Window {
  start: string;
  end: string;
}

export function alertName(alert: AlertInput): string {
  return alert.labels.alertname ?? 'unknown';
}

export function severity(alert: AlertInput): string | null {
  return alert.labels.severity ?? alert.labels.priority ?? null;
}

/** The alerting rule's expression from a Prometheus generatorURL, or null when absent. */
export function alertExpression(generatorURL: string | null): string | null {
  if (!generatorURL) return null;
  let url: URL;
  try {
    // Relative links appear when Prometheus runs without --web.external-url.
    url = new URL(generatorURL, 'http://prometheus.invalid');
  } catch {
    return null;
  }
  const expr = url.searchParams.get('g0.expr');
  return expr && expr.trim() ? expr.trim() : null;
}

/**
 * Default evidence window: an hour before the alert started (to see what led up to it) until
 * `now`. Alerts from the future (clock skew) still get a non-empty window.
 */
export function defaultWindow(alert: AlertInput, now: string, lookbackMinutes = 60): Window {
  const starts = Date.parse(alert.startsAt);
  const end = Date.parse(now);
  const start = starts - lookbackMinutes * 60_000;
  return {
    start: new Date(start).toISOString(),
    end: new Date(Math.max(end, starts + 5 * 60_000)).toISOString(),
  };
}

/** The window as a PromQL duration, e.g. `65m`, for lookbacks that must cover all of it. */
export function windowRange(window: Window): string {
  const minutes = Math.ceil((Date.parse(window.end) - Date.parse(window.start)) / 60_000);
  return `${Number.isFinite(minutes) ? Math.max(5, minutes) : 60}m`;
}

/**
 * Range-query step in multiples of 15 s giving at most ~110 points per series: the Prometheus
 * collector keeps 120 points and would otherwise downsample (and flag the item truncated).
 */
export function stepFor(window: Window): number {
  const seconds = (Date.parse(window.end) - Date.parse(window.start)) / 1000;
  const raw = Math.ceil(seconds / 110 / 15) * 15;
  return Math.max(15, Number.isFinite(raw) ? raw : 60);
}
