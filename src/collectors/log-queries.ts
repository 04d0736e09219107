// LogsQL (VictoriaLogs) and LogQL (Loki) string building. Both languages read double-quoted
// strings with Go's rules (strconv.Unquote), so one escaper serves both: every value that
// reaches a query stays one string literal, whatever quotes, backslashes, newlines or `"}` it holds.

export interface StreamSelector {
  namespace: string;
  pod?: string;
  container?: string;
}

/** How the log shipper named the Kubernetes fields (e.g. Vector: kubernetes.pod_name). */
export interface LogFieldNames {
  namespace: string;
  pod: string;
  container: string;
}

export const DEFAULT_LOG_FIELDS: LogFieldNames = {
  namespace: 'namespace',
  pod: 'pod',
  container: 'container',
};

const SIMPLE_ESCAPES: Record<string, string> = {
  '\\': '\\\\',
  '"': '\\"',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
};

/** A Go double-quoted string literal for `value`. */
export function quoteString(value: string): string {
  // Other control characters are legal raw in Go strings but unreadable in a report; spell them.
  // [^\x20-\uffff] is "below space": the control characters, spelled without naming them.
  const body = value.replace(/[\\"\x7f]|[^\x20-\uffff]/g, (c) => {
    return SIMPLE_ESCAPES[c] ?? `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`;
  });
  return `"${body}"`;
}

function matchers(sel: StreamSelector, fields: LogFieldNames): [string, string][] {
  const out: [string, string][] = [[fields.namespace, sel.namespace]];
  if (sel.pod !== undefined) out.push([fields.pod, sel.pod]);
  if (sel.container !== undefined) out.push([fields.container, sel.container]);
  return out;
}

// LogsQL field names may hold dots (kubernetes.pod_name) unquoted; anything else gets quoted.
const LOGSQL_BARE_FIELD = /^[A-Za-z_][A-Za-z0-9_.]*$/;

/**
 * `namespace:="shop" pod:="api-1"`: exact-match filters, ANDed by the space between them. Field
 * filters rather than a `{…}` stream filter, because whether namespace/pod are stream fields
 * depends on how the shipper was configured; a field filter matches either way.
 */
export function logsqlQuery(sel: StreamSelector, fields: LogFieldNames = DEFAULT_LOG_FIELDS): string {
  return matchers(sel, fields)
    .map(
      ([name, value]) => `${LOGSQL_BARE_FIELD.test(name) ? name : quoteString(name)}:=${quoteString(value)}`,
    )
    .join(' ');
}

const LOGQL_LABEL = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** `{namespace="shop",pod="api-1",container="api"}`. */
export function logqlSelector(sel: StreamSelector, fields: LogFieldNames = DEFAULT_LOG_FIELDS): string {
  const parts = matchers(sel, fields).map(([name, value]) => {
    if (!LOGQL_LABEL.test(name)) throw new Error(`invalid Loki label name ${JSON.stringify(name)}`);
    return `${name}=${quoteString(value)}`;
  });
  return `{${parts.join(',')}}`;
}
