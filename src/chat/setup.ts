import { createCollectors, type Collectors, type CollectorsOptions } from '../collectors/run.js';
import { dataSources } from '../collectors/sources.js';
import { durationMs, type Config } from '../shared/config.js';
import type { ChatLimits } from './types.js';

/** Chat bounds and policy from the configuration (CHAT_* and COLLECTOR_NAMESPACES_*). */
export function chatLimits(config: Config): ChatLimits {
  return {
    maxCallsPerTurn: config.CHAT_MAX_TOOL_CALLS_PER_TURN,
    turnTimeoutMs: config.CHAT_TURN_TIMEOUT_SECONDS * 1000,
    disabledTools: config.CHAT_TOOLS_DISABLED,
    clustersAllow: config.CHAT_CLUSTERS_ALLOW,
    namespaces: { allow: config.COLLECTOR_NAMESPACES_ALLOW, deny: config.COLLECTOR_NAMESPACES_DENY },
    maxSeries: config.CHAT_MAX_SERIES,
    maxLogLines: config.CHAT_MAX_LOG_LINES,
    maxRangeMs: durationMs(config.CHAT_MAX_RANGE),
    maxRangeSteps: config.CHAT_MAX_RANGE_STEPS,
    maxResultBytes: 16_000,
  };
}

/** The investigation's collectors (same sources, credentials, timeouts, namespace policy). */
export function createToolkitCollectors(
  config: Config,
  overrides: Partial<CollectorsOptions> = {},
): Collectors {
  const sources = dataSources(config);
  return createCollectors({
    prometheusUrl: sources.prometheus,
    alertmanagerUrl: sources.alertmanager,
    logsUrl: sources.logs,
    logsBackend: config.LOGS_BACKEND,
    timeoutMs: config.COLLECTOR_TIMEOUT_SECONDS * 1000,
    kubeListLimit: config.KUBE_LIST_LIMIT,
    namespaces: { allow: config.COLLECTOR_NAMESPACES_ALLOW, deny: config.COLLECTOR_NAMESPACES_DENY },
    ...overrides,
  });
}
