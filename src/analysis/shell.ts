// Copy-ready shell commands. Values come from alert labels, which anyone who can write a
// Prometheus rule controls, so every argument is single-quoted and never spliced raw.

/** POSIX single-quoting: the only character needing care inside '…' is the quote itself. */
export function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/** `--flag='value'`: one argv word even if the value starts with `-`. */
export function shellFlag(flag: string, value: string): string {
  return `${flag}=${shellQuote(value)}`;
}

/** Field-selector values treat `\`, `,`, `=` and `!` as syntax; escape them before quoting. */
export function fieldSelectorValue(value: string): string {
  return value.replace(/[\\,=!]/g, (c) => `\\${c}`);
}

const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;

/** Kubernetes object names are DNS subdomains; anything else in a label is suspicious. */
export function isKubernetesName(value: string): boolean {
  return DNS_SUBDOMAIN.test(value);
}
