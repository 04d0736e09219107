import { existsSync } from 'node:fs';
import { delimiter } from 'node:path';
import { AppsV1Api, BatchV1Api, CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import type { EventsData, EvidenceItem, WorkloadData } from './evidence.js';
import { timeoutContext, toItem, type CollectContext, type Outcome, type TimeWindow } from './item.js';
import { eventsData, nodeData, podData } from './kube-objects.js';
import {
  abortOptions,
  type Target,
  failure,
  fieldSelectorValue,
  type Clients,
  listBounded,
  cutNote,
  DEFAULT_LIST_LIMIT,
  type KubernetesData,
  type KubernetesRequest,
} from './kube-api.js';
import { logPath, previousLogs } from './kube-logs.js';
import { ownerChain, workload } from './kube-workload.js';

// Read-only Kubernetes evidence through @kubernetes/client-node: pods with their owner chain,
// workloads with recent revisions, events, nodes and previous-container logs.

export const NOT_CONFIGURED =
  'Kubernetes API not configured (no in-cluster service account and no KUBECONFIG)';

export type { KubernetesData, KubernetesRequest } from './kube-api.js';

export interface KubernetesCollector {
  collect(
    request: KubernetesRequest,
    window: TimeWindow,
    ctx?: CollectContext,
  ): Promise<EvidenceItem<KubernetesData>>;
}

/**
 * In-cluster config when KUBERNETES_SERVICE_HOST is set, else the file named by KUBECONFIG, else
 * null (no Kubernetes evidence). Throws when a config exists but cannot be read.
 */
export function loadKubeConfig(env: NodeJS.ProcessEnv = process.env): KubeConfig | null {
  const kc = new KubeConfig();
  if (env.KUBERNETES_SERVICE_HOST) {
    kc.loadFromCluster();
    return kc;
  }
  // A service reads one kubeconfig; with a list, the first existing file wins.
  const file = (env.KUBECONFIG ?? '').split(delimiter).find((f) => f && existsSync(f));
  if (env.KUBECONFIG && !file) throw new Error(`KUBECONFIG=${env.KUBECONFIG} names no existing file`);
  if (!file) return null;
  kc.loadFromFile(file);
  return kc;
}

/** Per-call abort: client-node v2 takes call-time middleware, which can set the request's signal. */

const WORKLOAD_PATHS: Record<WorkloadData['kind'], [group: string, resource: string]> = {
  Deployment: ['/apis/apps/v1', 'deployments'],
  StatefulSet: ['/apis/apps/v1', 'statefulsets'],
  DaemonSet: ['/apis/apps/v1', 'daemonsets'],
  ReplicaSet: ['/apis/apps/v1', 'replicasets'],
  Job: ['/apis/batch/v1', 'jobs'],
  CronJob: ['/apis/batch/v1', 'cronjobs'],
};

export function createKubernetesCollector(
  kube: KubeConfig | null,
  unavailableReason = NOT_CONFIGURED,
  options: { listLimit?: number } = {},
): KubernetesCollector {
  let clients: Clients | undefined;
  let setupError = kube ? undefined : unavailableReason;
  if (kube) {
    try {
      clients = {
        core: kube.makeApiClient(CoreV1Api),
        apps: kube.makeApiClient(AppsV1Api),
        batch: kube.makeApiClient(BatchV1Api),
        server: kube.getCurrentCluster()?.server ?? '(no server)',
        listLimit: Math.max(1, Math.floor(options.listLimit ?? DEFAULT_LIST_LIMIT)),
      };
    } catch (err) {
      setupError = `Kubernetes config unusable: ${err instanceof Error ? err.message : String(err)}`;
    }
  }

  return {
    async collect(request, _window, ctx = timeoutContext()) {
      const startedAt = new Date();
      const query = pathOf(request);
      if (!clients) {
        return toItem(request, startedAt, {
          status: 'unavailable',
          query,
          error: setupError ?? NOT_CONFIGURED,
        });
      }
      const outcome = await collectWith(clients, request, query, ctx);
      return toItem<KubernetesData>(request, startedAt, outcome);
    },
  };
}

function pathOf(r: KubernetesRequest): string {
  switch (r.kind) {
    case 'pod':
      return `GET /api/v1/namespaces/${r.namespace}/pods/${r.pod}`;
    case 'workload': {
      const [group, resource] = WORKLOAD_PATHS[r.workloadKind];
      return `GET ${group}/namespaces/${r.namespace}/${resource}/${r.name}`;
    }
    case 'events':
      return r.involvedName === undefined
        ? `GET /api/v1/namespaces/${r.namespace}/events`
        : `GET /api/v1/namespaces/${r.namespace}/events?fieldSelector=involvedObject.name=${fieldSelectorValue(r.involvedName)}`;
    case 'node':
      return `GET /api/v1/nodes/${r.node}`;
    case 'previous_logs':
      return logPath(r.namespace, r.pod, r.container, true, r.tailLines);
  }
}

async function collectWith(
  c: Clients,
  r: KubernetesRequest,
  query: string,
  ctx: CollectContext,
): Promise<Outcome<KubernetesData>> {
  const o = abortOptions(ctx.signal);
  switch (r.kind) {
    case 'pod': {
      const target: Target = {
        resource: 'pods',
        label: `pod ${r.namespace}/${r.pod}`,
        namespace: r.namespace,
        hint: 'it may have been replaced',
      };
      try {
        const pod = await c.core.readNamespacedPod({ name: r.pod, namespace: r.namespace }, o);
        const owners = await ownerChain(c, r.namespace, pod.metadata?.ownerReferences, o, ctx);
        return { status: 'ok', query, data: podData(pod, owners) };
      } catch (err) {
        return failure(err, target, query, c.server, ctx);
      }
    }
    case 'workload': {
      const [, resource] = WORKLOAD_PATHS[r.workloadKind];
      const target: Target = {
        resource,
        label: `${r.workloadKind.toLowerCase()} ${r.namespace}/${r.name}`,
        namespace: r.namespace,
        hint: 'it may have been deleted or renamed',
      };
      try {
        return await workload(c, r, query, o, ctx);
      } catch (err) {
        return failure(err, target, query, c.server, ctx);
      }
    }
    case 'events': {
      const target: Target = {
        resource: 'events',
        label: `namespace ${r.namespace}`,
        namespace: r.namespace,
        hint: 'it may have been deleted',
        verb: 'list',
      };
      try {
        const list = await listBounded(
          (page) =>
            c.core.listNamespacedEvent(
              r.involvedName === undefined
                ? { namespace: r.namespace, ...page }
                : {
                    namespace: r.namespace,
                    fieldSelector: `involvedObject.name=${fieldSelectorValue(r.involvedName)}`,
                    ...page,
                  },
              o,
            ),
          c.listLimit,
        );
        if (list.items.length === 0) return { status: 'empty', query };
        const { data, truncated } = eventsData(list.items);
        const out: Outcome<EventsData> = { status: 'ok', query, data, truncated: truncated || list.cut };
        // The API lists in name order, not time: past the cut, newer events may be missing.
        if (list.cut) out.error = `${cutNote('events', list)}; newer events may be among those not read`;
        return out;
      } catch (err) {
        return failure(err, target, query, c.server, ctx);
      }
    }
    case 'node': {
      const target: Target = {
        resource: 'nodes',
        label: `node ${r.node}`,
        hint: 'it may have been removed from the cluster',
      };
      try {
        return { status: 'ok', query, data: nodeData(await c.core.readNode({ name: r.node }, o)) };
      } catch (err) {
        return failure(err, target, query, c.server, ctx);
      }
    }
    case 'previous_logs':
      return previousLogs(c, r, query, o, ctx);
  }
}

/** Pod → ReplicaSet → Deployment, Pod → Job → CronJob, …, following controller references. */
