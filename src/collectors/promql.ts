// PromQL string building. Every label value that reaches a query goes through escapeLabelValue:
// a value holding quotes, backslashes, newlines or `"}` must stay one string literal.

/** Escapes a value for a double-quoted PromQL string literal. */
export function escapeLabelValue(value: string): string {
  return value.replace(
    /[\\"\n\r\t]/g,
    (c) => ({ '\\': '\\\\', '"': '\\"', '\n': '\\n', '\r': '\\r', '\t': '\\t' })[c]!,
  );
}

const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** `{a="x",b=~"y"}` from matchers; label names are checked, values escaped. */
export function selector(matchers: Record<string, string | { re: string }>): string {
  const parts = Object.entries(matchers).map(([name, v]) => {
    if (!LABEL_NAME.test(name)) throw new Error(`invalid label name ${JSON.stringify(name)}`);
    return typeof v === 'string'
      ? `${name}="${escapeLabelValue(v)}"`
      : `${name}=~"${escapeLabelValue(v.re)}"`;
  });
  return `{${parts.join(',')}}`;
}

/** Escapes regex metacharacters so a literal value can sit inside =~ (RE2 syntax). */
export function escapeRegex(value: string): string {
  return value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
