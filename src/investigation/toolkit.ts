import { analyze } from '../analysis/analyze.js';
import { preliminaryFamily } from '../analysis/family.js';
import { planEvidence } from '../analysis/plan.js';
import { createCollectors, type CollectorsOptions } from '../collectors/run.js';
import { dataSources } from '../collectors/sources.js';
import type { Config } from '../shared/config.js';
import type { Toolkit } from './investigate.js';

/** The real planner, collectors and analysis, configured from the environment. */
export function createToolkit(config: Config, overrides: Partial<CollectorsOptions> = {}): Toolkit {
  // Sources carry their credentials apart from the URL people see in steps and reports.
  const sources = dataSources(config);
  const collectors = createCollectors({
    prometheusUrl: sources.prometheus,
    alertmanagerUrl: sources.alertmanager,
    logsUrl: sources.logs,
    logsBackend: config.LOGS_BACKEND,
    timeoutMs: config.COLLECTOR_TIMEOUT_SECONDS * 1000,
    kubeListLimit: config.KUBE_LIST_LIMIT,
    namespaces: { allow: config.COLLECTOR_NAMESPACES_ALLOW, deny: config.COLLECTOR_NAMESPACES_DENY },
    ...overrides,
  });
  return {
    plan: (alert, window) => {
      const decision = preliminaryFamily(alert);
      return {
        family: decision.family,
        reasons: decision.reasons,
        requests: planEvidence(alert, decision, window),
      };
    },
    collect: (request, window) => collectors.collect(request, window),
    analyze: (input) => analyze(input),
  };
}
