// The report's vocabulary, without dependencies: the console's filters import it too.

export const FAMILIES = [
  'crashloop',
  'oom_killed',
  'cpu_throttling',
  'http_5xx',
  'pod_not_healthy',
  'memory_pressure',
  'target_down',
  'job_failed',
  'rollout_mismatch',
  'node_problem',
  'meta',
  'generic',
] as const;

export type Family = (typeof FAMILIES)[number];

/** Families whose evidence is about one pod (generic: the pod, when the alert names one). */
export const POD_FAMILIES: readonly Family[] = [
  'crashloop',
  'oom_killed',
  'cpu_throttling',
  'pod_not_healthy',
  'memory_pressure',
  'generic',
];

export const CLASSIFICATIONS = ['actionable', 'informational', 'noisy', 'artifact'] as const;
