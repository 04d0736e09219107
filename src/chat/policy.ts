import { namespaceDenial } from '../collectors/namespace-policy.js';
import type { ChatLimits } from './types.js';

// Who may read what through chat: a tool can be switched off (CHAT_TOOLS_DISABLED), and reads are
// kept to the namespaces collectors may read (COLLECTOR_NAMESPACES_*) and the clusters of
// CHAT_CLUSTERS_ALLOW. Pure.

export function toolDenial(limits: ChatLimits, tool: string): string | null {
  return limits.disabledTools.includes(tool)
    ? `the ${tool} tool is switched off (CHAT_TOOLS_DISABLED)`
    : null;
}

export function clusterDenial(limits: ChatLimits, cluster: string | null | undefined): string | null {
  if (limits.clustersAllow.length === 0 || !cluster) return null;
  return limits.clustersAllow.includes(cluster) ? null : `cluster "${cluster}" is not in CHAT_CLUSTERS_ALLOW`;
}

export function scopeDenial(
  limits: ChatLimits,
  scope: { namespace?: string | null; cluster?: string | null },
): string | null {
  return (
    clusterDenial(limits, scope.cluster) ??
    (scope.namespace ? namespaceDenial(limits.namespaces, scope.namespace) : null)
  );
}

/** Exact `cluster="…"` matchers of a PromQL text (regex matchers are left to Prometheus). */
export function promqlClusters(query: string): string[] {
  return [...query.matchAll(/\bcluster\s*=\s*"((?:[^"\\]|\\.)*)"/g)].map((m) => m[1]!);
}
