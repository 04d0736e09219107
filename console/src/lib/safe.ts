// Alert labels, annotations and log lines come from whoever writes alert rules or logs. They are
// only ever rendered as text; a value becomes a link only when it is a plain http(s) URL.

/** The URL if it is http(s), else null (javascript:, data:, relative paths…). */
export function safeHref(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  const v = value.trim();
  if (!/^https?:\/\//i.test(v)) return null;
  try {
    const u = new URL(v);
    return u.protocol === 'http:' || u.protocol === 'https:' ? u.href : null;
  } catch {
    return null;
  }
}

/** A link to Prometheus' graph page for a query, when the server says where Prometheus is. */
export function prometheusGraph(base: string | null | undefined, expr: string): string | null {
  const root = safeHref(base);
  if (!root) return null;
  const u = new URL(root.endsWith('/') ? root : root + '/');
  u.pathname += 'graph';
  u.searchParams.set('g0.expr', expr);
  u.searchParams.set('g0.tab', '0');
  u.searchParams.set('g0.range_input', '1h');
  return u.href;
}
