// The one list of alert families. Adding a family means adding its module here and its name to
// src/contract/taxonomy.ts (registry.test.ts keeps the two in step).

import type { Family } from '../../contract/taxonomy.js';
import { cpuThrottling } from './cpu_throttling.js';
import { crashloop } from './crashloop.js';
import { generic } from './generic.js';
import { http5xx } from './http_5xx.js';
import { jobFailed } from './job_failed.js';
import { k8sRolloutHealth } from './k8s_rollout_health.js';
import { memoryPressure } from './memory_pressure.js';
import { meta } from './meta.js';
import { observabilityPipeline } from './observability_pipeline.js';
import { oomKilled } from './oom_killed.js';
import { podNotHealthy } from './pod_not_healthy.js';
import { targetDown } from './target_down.js';
import type { FamilyModule, Pattern, Refinement } from './types.js';

export type { FamilyModule } from './types.js';

export const FAMILY_MODULES: readonly FamilyModule[] = [
  crashloop,
  cpuThrottling,
  podNotHealthy,
  http5xx,
  oomKilled,
  memoryPressure,
  targetDown,
  jobFailed,
  k8sRolloutHealth,
  observabilityPipeline,
  meta,
  generic,
];

const BY_FAMILY = new Map<Family, FamilyModule>(FAMILY_MODULES.map((m) => [m.family, m]));

export function familyModule(family: Family): FamilyModule {
  const m = BY_FAMILY.get(family);
  if (!m) throw new Error(`no module for family ${family}`);
  return m;
}

type Ranked = Pattern & { family: Family };
const ranked = (pick: (m: FamilyModule) => Pattern[] | undefined): Ranked[] =>
  FAMILY_MODULES.flatMap((m) => (pick(m) ?? []).map((p) => ({ ...p, family: m.family }))).sort(
    (a, b) => a.order - b.order,
  );

/** Name patterns of every family, in the order they are tried. */
export const NAME_PATTERNS: readonly Ranked[] = ranked((m) => m.namePatterns);
/** Rule-expression patterns of every family, in the order they are tried. */
export const EXPR_PATTERNS: readonly Ranked[] = ranked((m) => m.exprPatterns);
/** Evidence refinements of every family, in the order they are tried. */
export const REFINEMENTS: readonly (Refinement & { family: Family })[] = FAMILY_MODULES.flatMap((m) =>
  (m.refine ?? []).map((r) => ({ ...r, family: m.family })),
).sort((a, b) => a.order - b.order);
