import type { EvidenceRequest } from './evidence.js';

// Which namespaces collectors may read (COLLECTOR_NAMESPACES_ALLOW / COLLECTOR_NAMESPACES_DENY):
// an operator can keep Tarka out of, say, kube-system or a tenant's namespaces. A request for a
// denied namespace is not sent at all and its item says why, so the report lists it as unknown
// instead of showing an empty answer. Pure: no I/O.

export interface NamespacePolicy {
  /** Names or globs (`*`, `?`); when not empty, only these namespaces are read. */
  allow: readonly string[];
  /** Names or globs never read; deny wins over allow. */
  deny: readonly string[];
}

const glob = (pattern: string): RegExp =>
  new RegExp(
    `^${pattern
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '.*')
      .replace(/\?/g, '.')}$`,
  );

/** Null when `namespace` may be read; otherwise the sentence the evidence item carries. */
export function namespaceDenial(policy: NamespacePolicy, namespace: string): string | null {
  const matches = (list: readonly string[]) => list.some((p) => glob(p).test(namespace));
  if (matches(policy.deny))
    return `not read: namespace "${namespace}" denied by policy (COLLECTOR_NAMESPACES_DENY)`;
  if (policy.allow.length > 0 && !matches(policy.allow))
    return `not read: namespace "${namespace}" denied by policy (not in COLLECTOR_NAMESPACES_ALLOW)`;
  return null;
}

/**
 * Namespaces a request would read: the `namespace` of Kubernetes and log requests, and the
 * exact `namespace="…"` matchers of a PromQL query. A query without such a matcher (cluster-wide,
 * or a regex matcher) is not namespace-scoped and is left to Prometheus' own access control.
 */
export function requestNamespaces(request: EvidenceRequest): string[] {
  const r = request as { source?: unknown; namespace?: unknown; query?: unknown; match?: unknown };
  if ((r.source === 'kubernetes' || r.source === 'logs') && typeof r.namespace === 'string')
    return [r.namespace];
  if (r.source === 'prometheus') {
    const texts = [r.query, ...(Array.isArray(r.match) ? r.match : [])].filter(
      (t): t is string => typeof t === 'string',
    );
    const out = new Set<string>();
    for (const t of texts)
      for (const m of t.matchAll(/\bnamespace\s*=\s*"((?:[^"\\]|\\.)*)"/g)) out.add(m[1]!);
    return [...out];
  }
  return [];
}

/** The first denial among the namespaces a request would read, or null. */
export function requestDenial(policy: NamespacePolicy, request: EvidenceRequest): string | null {
  if (policy.allow.length === 0 && policy.deny.length === 0) return null;
  for (const ns of requestNamespaces(request)) {
    const denied = namespaceDenial(policy, ns);
    if (denied) return denied;
  }
  return null;
}
