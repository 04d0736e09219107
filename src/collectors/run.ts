import type { KubeConfig } from '@kubernetes/client-node';
import type { EvidenceItem, EvidenceRequest } from './evidence.js';
import { createAlertmanagerCollector } from './alertmanager.js';
import type { HttpSource } from './http.js';
import { DEFAULT_TIMEOUT_MS, timeoutContext, toItem, type Outcome, type TimeWindow } from './item.js';
import { createKubernetesCollector, loadKubeConfig, NOT_CONFIGURED } from './kubernetes.js';
import type { LogFieldNames } from './log-queries.js';
import { createLogsCollector, type LogsBackendOption } from './logs.js';
import { requestDenial, type NamespacePolicy } from './namespace-policy.js';
import { createPrometheusCollector } from './prometheus.js';

// One entry point for the investigation: collect(request) dispatches to the right collector,
// bounds it in time, measures it and never throws. A planner may ask for anything; the answer
// is always an EvidenceItem whose status says what happened.

export interface CollectorsOptions {
  /** A URL, or a source configured with its credentials (see sources.ts). */
  prometheusUrl?: string | HttpSource | undefined;
  alertmanagerUrl?: string | HttpSource | undefined;
  logsUrl?: string | HttpSource | undefined;
  logsBackend?: LogsBackendOption;
  /** Field names of namespace/pod/container in the logs backend; defaults to namespace, pod, container. */
  logFields?: LogFieldNames;
  /** A KubeConfig; null for no Kubernetes; undefined to load in-cluster or KUBECONFIG config. */
  kube?: KubeConfig | null;
  /** Per-call timeout covering every request one item needs (default 5 s). */
  timeoutMs?: number;
  /** Most items one Kubernetes list may hold (KUBE_LIST_LIMIT). */
  kubeListLimit?: number;
  /** Namespaces collectors may read (COLLECTOR_NAMESPACES_ALLOW / _DENY); all when not given. */
  namespaces?: NamespacePolicy;
}

export interface Collectors {
  collect(request: EvidenceRequest, window: TimeWindow): Promise<EvidenceItem>;
  /** Runs requests with at most `concurrency` in flight; items come back in request order. */
  collectAll(
    requests: readonly EvidenceRequest[],
    window: TimeWindow,
    concurrency?: number,
  ): Promise<EvidenceItem[]>;
}

const SERVICE_NAMES: Record<EvidenceRequest['source'], string> = {
  prometheus: 'Prometheus',
  alertmanager: 'Alertmanager',
  kubernetes: 'Kubernetes API',
  logs: 'Logs backend',
};

// A collector honours the abort signal itself and says which service was slow; the guard only
// catches one that does not, shortly after.
const GUARD_GRACE_MS = 250;

export function createCollectors(options: CollectorsOptions = {}): Collectors {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const prometheus = createPrometheusCollector(options.prometheusUrl);
  const alertmanager = createAlertmanagerCollector(options.alertmanagerUrl);
  const logsOptions: Parameters<typeof createLogsCollector>[0] = {};
  if (options.logsUrl !== undefined) logsOptions.url = options.logsUrl;
  if (options.logsBackend !== undefined) logsOptions.backend = options.logsBackend;
  if (options.logFields !== undefined) logsOptions.fields = options.logFields;
  const logs = createLogsCollector(logsOptions);

  let kube: KubeConfig | null = null;
  let kubeReason = NOT_CONFIGURED;
  try {
    kube = options.kube === undefined ? loadKubeConfig() : options.kube;
  } catch (err) {
    kubeReason = `Kubernetes config could not be loaded: ${err instanceof Error ? err.message : String(err)}`;
  }
  const kubernetes = createKubernetesCollector(
    kube,
    kubeReason,
    options.kubeListLimit === undefined ? {} : { listLimit: options.kubeListLimit },
  );
  const namespaces = options.namespaces ?? { allow: [], deny: [] };

  async function dispatch(
    request: EvidenceRequest,
    window: TimeWindow,
    ctx: ReturnType<typeof timeoutContext>,
  ) {
    switch (request.source) {
      case 'prometheus':
        return prometheus.collect(request, window, ctx);
      case 'alertmanager':
        return alertmanager.collect(request, window, ctx);
      case 'kubernetes':
        return kubernetes.collect(request, window, ctx);
      case 'logs':
        return logs.collect(request, window, ctx);
      default:
        throw new Error(
          `unknown evidence source ${JSON.stringify((request as { source?: unknown }).source)}`,
        );
    }
  }

  async function collect(request: EvidenceRequest, window: TimeWindow): Promise<EvidenceItem> {
    const startedAt = new Date();
    let guardTimer: NodeJS.Timeout | undefined;
    let item: EvidenceItem;
    try {
      const problem = checkRequest(request, window);
      if (problem) throw new Error(problem);
      // Denied by policy: nothing is sent, and the item says so (the report lists it as unknown).
      const denied = requestDenial(namespaces, request);
      if (denied) {
        const outcome: Outcome<never> = { status: 'unavailable', query: describe(request), error: denied };
        return { ...toItem(request, startedAt, outcome), durationMs: 0 };
      }
      const ctx = timeoutContext(timeoutMs);
      const guard = new Promise<EvidenceItem>((resolve) => {
        guardTimer = setTimeout(
          () =>
            resolve(
              toItem(request, startedAt, {
                status: 'unavailable',
                query: describe(request),
                error: `${SERVICE_NAMES[request.source]} did not answer within ${timeoutMs} ms`,
              }),
            ),
          timeoutMs + GUARD_GRACE_MS,
        );
      });
      item = await Promise.race([dispatch(request, window, ctx), guard]);
    } catch (err) {
      const outcome: Outcome<never> = {
        status: 'error',
        query: describe(request),
        error: err instanceof Error ? err.message : String(err),
      };
      item = toItem(safeRequest(request), startedAt, outcome);
    } finally {
      clearTimeout(guardTimer);
    }
    return { ...item, startedAt: startedAt.toISOString(), durationMs: Date.now() - startedAt.getTime() };
  }

  async function collectAll(requests: readonly EvidenceRequest[], window: TimeWindow, concurrency = 6) {
    const items: EvidenceItem[] = new Array(requests.length);
    let next = 0;
    const worker = async () => {
      while (next < requests.length) {
        const i = next++;
        items[i] = await collect(requests[i]!, window);
      }
    };
    const workers = Math.max(1, Math.min(Math.floor(concurrency) || 1, requests.length));
    await Promise.all(Array.from({ length: workers }, worker));
    return items;
  }

  return { collect, collectAll };
}

/** Requests come from a planner (possibly an LLM): check what the collectors rely on. */
function checkRequest(request: EvidenceRequest, window: TimeWindow): string | undefined {
  if (!request || typeof request !== 'object') return 'evidence request is not an object';
  if (!(window?.start instanceof Date) || !(window?.end instanceof Date))
    return 'time window needs start and end dates';
  if (Number.isNaN(window.start.getTime()) || Number.isNaN(window.end.getTime()))
    return 'time window has an invalid date';
  if (window.end.getTime() < window.start.getTime()) return 'time window ends before it starts';
  const r = request as Record<string, unknown>;
  const kinds: Record<string, string[]> = {
    prometheus: ['instant', 'range', 'series'],
    alertmanager: ['alerts', 'silences'],
    kubernetes: ['pod', 'workload', 'events', 'node', 'previous_logs'],
    logs: ['logs'],
  };
  const source = String(r.source);
  if (!kinds[source]) return `unknown evidence source ${JSON.stringify(r.source)}`;
  if (!kinds[source].includes(String(r.kind)))
    return `unknown ${source} evidence kind ${JSON.stringify(r.kind)}`;
  const missing = (REQUIRED[String(r.kind)] ?? []).filter(([field, type]) =>
    type === 'string[]'
      ? !Array.isArray(r[field]) ||
        (r[field] as unknown[]).length === 0 ||
        (r[field] as unknown[]).some((v) => typeof v !== 'string')
      : typeof r[field] !== type || (type === 'string' && r[field] === ''),
  );
  if (missing.length > 0) {
    return `${source} ${String(r.kind)} request needs ${missing.map(([f, t]) => `${f} (${t === 'string[]' ? 'a non-empty list of strings' : `a ${t}`})`).join(', ')}`;
  }
  if (r.kind === 'workload' && !WORKLOAD_KINDS.includes(String(r.workloadKind))) {
    return `unknown workloadKind ${JSON.stringify(r.workloadKind)}; expected one of ${WORKLOAD_KINDS.join(', ')}`;
  }
  return undefined;
}

const WORKLOAD_KINDS = ['Deployment', 'StatefulSet', 'DaemonSet', 'Job', 'CronJob', 'ReplicaSet'];

const REQUIRED: Record<string, [string, 'string' | 'number' | 'string[]'][]> = {
  instant: [['query', 'string']],
  range: [['query', 'string']],
  series: [['match', 'string[]']],
  alerts: [['alertname', 'string']],
  silences: [['alertname', 'string']],
  pod: [
    ['namespace', 'string'],
    ['pod', 'string'],
  ],
  workload: [
    ['namespace', 'string'],
    ['name', 'string'],
  ],
  events: [['namespace', 'string']],
  node: [['node', 'string']],
  previous_logs: [
    ['namespace', 'string'],
    ['pod', 'string'],
    ['tailLines', 'number'],
  ],
  logs: [
    ['namespace', 'string'],
    ['limit', 'number'],
  ],
};

/** Keeps an item well-formed even when the request was not. */
function safeRequest(request: EvidenceRequest): EvidenceRequest {
  try {
    const r = (request && typeof request === 'object' ? request : {}) as Record<string, unknown>;
    return {
      id: String(r.id ?? ''),
      title: String(r.title ?? ''),
      source: r.source,
      kind: r.kind,
    } as EvidenceRequest;
  } catch {
    return { id: '', title: '', source: 'prometheus', kind: 'instant', query: '' };
  }
}

/** What was asked, for items that failed before a collector could name its exact query. */
function describe(request: EvidenceRequest): string {
  try {
    return describeUnsafe(request);
  } catch {
    return '';
  }
}

function describeUnsafe(request: EvidenceRequest): string {
  const r = (request ?? {}) as Record<string, unknown>;
  if (typeof r.query === 'string') return r.query;
  if (Array.isArray(r.match)) return r.match.map((m) => `match[]=${String(m)}`).join('&');
  if (typeof r.alertname === 'string') return `alertname="${r.alertname}"`;
  const parts = ['namespace', 'pod', 'container', 'workloadKind', 'name', 'node', 'involvedName']
    .filter((k) => typeof r[k] === 'string')
    .map((k) => `${k}=${String(r[k])}`);
  return `${String(r.source)} ${String(r.kind)} ${parts.join(' ')}`.trim();
}
