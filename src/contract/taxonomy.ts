// The report's vocabulary, without dependencies: the console's filters import it too.

// Names follow the Tarka deployment guide, so report keys (`<fingerprint>-<family>.json`) and
// dashboards carry over; finer distinctions are sub-kinds (the report's familyDetail.subReason).
export const FAMILIES = [
  'crashloop',
  'cpu_throttling',
  'pod_not_healthy',
  'http_5xx',
  'oom_killed',
  'memory_pressure',
  'target_down',
  'job_failed',
  'k8s_rollout_health',
  'observability_pipeline',
  'meta',
  'generic',
] as const;

export type Family = (typeof FAMILIES)[number];

/**
 * Families of reports written before the vocabulary followed the deployment guide, mapped to
 * today's: `rollout_mismatch` became `k8s_rollout_health`; `node_problem` split by what the node
 * does to its pods (NotReady → pod_not_healthy, MemoryPressure → memory_pressure, the rest →
 * generic), the node kind kept as a `node_*` sub-kind. Pure, and the identity on current names.
 */
export function currentFamily(
  family: string,
  subReason: string | null = null,
): { family: string; subReason: string | null } {
  if (family === 'rollout_mismatch') return { family: 'k8s_rollout_health', subReason };
  if (family !== 'node_problem') return { family, subReason };
  const sub = subReason ?? '';
  const nodeSub = (s: string) => `node_${s.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase()}`;
  if (sub === 'NotReady' || sub === 'Unreachable' || sub === 'ReadinessFlapping')
    return { family: 'pod_not_healthy', subReason: nodeSub(sub) };
  if (sub === 'MemoryPressure') return { family: 'memory_pressure', subReason: 'node_memory_pressure' };
  return { family: 'generic', subReason: sub ? nodeSub(sub) : 'node' };
}

export const CLASSIFICATIONS = ['actionable', 'informational', 'noisy', 'artifact'] as const;
