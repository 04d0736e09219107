import { existsSync } from 'node:fs';
import { delimiter } from 'node:path';
import {
  ApiException,
  AppsV1Api,
  BatchV1Api,
  CoreV1Api,
  KubeConfig,
  Observable,
  type ConfigurationOptions,
  type ObservableMiddleware,
  type V1Job,
  type V1LabelSelector,
  type V1ObjectMeta,
  type V1OwnerReference,
} from '@kubernetes/client-node';
import type {
  EventsData,
  EvidenceItem,
  EvidenceRequest,
  LogsData,
  NodeData,
  PodData,
  WorkloadData,
} from './evidence.js';
import { isAbort, parseJson, unreachable } from './http.js';
import {
  capText,
  MAX_LINE_CHARS,
  MAX_LOG_LINES,
  timeoutContext,
  toItem,
  type CollectContext,
  type Outcome,
  type TimeWindow,
} from './item.js';
import {
  conditions,
  controllerOf,
  eventsData,
  iso,
  logLines,
  MAX_REVISIONS,
  newestRevisions,
  nodeData,
  podData,
  revisionDataImages,
  templateImages,
} from './kube-objects.js';

// Read-only Kubernetes evidence through @kubernetes/client-node: pods with their owner chain,
// workloads with recent revisions, events, nodes and previous-container logs.

export const NOT_CONFIGURED =
  'Kubernetes API not configured (no in-cluster service account and no KUBECONFIG)';

export type KubernetesRequest = Extract<EvidenceRequest, { source: 'kubernetes' }>;
export type KubernetesData = PodData | WorkloadData | EventsData | NodeData | LogsData;

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
function abortOptions(signal: AbortSignal): ConfigurationOptions {
  const middleware: ObservableMiddleware = {
    pre: (context) => {
      context.setSignal(signal);
      return new Observable(Promise.resolve(context));
    },
    post: (response) => new Observable(Promise.resolve(response)),
  };
  return { middleware: [middleware], middlewareMergeStrategy: 'append' };
}

/** What a failed call was about, to say so in words. */
interface Target {
  /** API resource, e.g. pods, deployments. */
  resource: string;
  /** How people name it, e.g. "pod shop/api-123". */
  label: string;
  namespace?: string;
  /** Why it may be missing, for 404s. */
  hint: string;
  verb?: 'get' | 'list';
}

function statusMessage(err: ApiException<unknown>): string {
  const body = err.body;
  const parsed = typeof body === 'string' ? parseJson(body) : body;
  const msg = (parsed as { message?: unknown } | undefined)?.message;
  if (typeof msg === 'string') return msg;
  return typeof body === 'string' && body ? body.slice(0, 300) : `HTTP ${err.code}`;
}

function isApiException(err: unknown): err is ApiException<unknown> {
  // Duck-typed as well, in case two copies of the client are loaded; DOMException also has a
  // numeric code, so an HTTP answer is recognised by its headers too.
  if (err instanceof ApiException) return true;
  return err instanceof Error && typeof (err as { code?: unknown }).code === 'number' && 'headers' in err;
}

function failure(
  err: unknown,
  target: Target,
  query: string,
  server: string,
  ctx: CollectContext,
): Outcome<never> {
  if (!isAbort(err, ctx) && isApiException(err)) {
    const message = statusMessage(err);
    if (err.code === 404)
      return { status: 'empty', query, error: `${target.label} not found (${target.hint})` };
    if (err.code === 403) {
      const where = target.namespace ? ` in namespace ${target.namespace}` : '';
      return {
        status: 'error',
        query,
        error: `Kubernetes API denied ${target.verb ?? 'get'} ${target.resource}${where} (403 Forbidden): ${message}. Grant Tarka's service account RBAC read access (get, list) to ${target.resource}`,
      };
    }
    if (err.code === 401) {
      return {
        status: 'error',
        query,
        error:
          'Kubernetes API rejected the credentials (401 Unauthorized): check the service account token or the KUBECONFIG user',
      };
    }
    if (err.code >= 500) {
      return {
        status: 'unavailable',
        query,
        error: `Kubernetes API at ${server} answered ${err.code}: ${message}`,
      };
    }
    return {
      status: 'error',
      query,
      error: `Kubernetes API answered ${err.code} for ${target.label}: ${message}`,
    };
  }
  if (isAbort(err, ctx) || (err instanceof Error && err.cause !== undefined)) {
    return { status: 'unavailable', query, error: unreachable('Kubernetes API', server, err, ctx) };
  }
  // Thrown before any request left, e.g. by the client's TLS or auth set-up.
  const message = err instanceof Error ? err.message : String(err);
  return { status: 'unavailable', query, error: `Kubernetes API at ${server} could not be used: ${message}` };
}

/** `app=api,tier in (web,api)` from a label selector object. */
export function selectorString(sel: V1LabelSelector | undefined): string {
  const parts = Object.entries(sel?.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`);
  for (const e of sel?.matchExpressions ?? []) {
    const values = (e.values ?? []).join(',');
    if (e.operator === 'In') parts.push(`${e.key} in (${values})`);
    else if (e.operator === 'NotIn') parts.push(`${e.key} notin (${values})`);
    else if (e.operator === 'Exists') parts.push(e.key);
    else if (e.operator === 'DoesNotExist') parts.push(`!${e.key}`);
  }
  return parts.join(',');
}

/** Field selector values escape \, comma and = with a backslash. */
function fieldSelectorValue(value: string): string {
  return value.replace(/[\\,=]/g, (c) => `\\${c}`);
}

const ownedBy = (meta: V1ObjectMeta | undefined, uid: string | undefined) =>
  uid !== undefined && (meta?.ownerReferences ?? []).some((r) => r.uid === uid);

type Clients = {
  core: CoreV1Api;
  apps: AppsV1Api;
  batch: BatchV1Api;
  server: string;
  /** Most items one list may hold (KUBE_LIST_LIMIT): a namespace with 50,000 events is no reason to hold them all. */
  listLimit: number;
};

export const DEFAULT_LIST_LIMIT = 500;
/** Items per list request: the API server pages with `limit` and `continue`. */
const PAGE_SIZE = 250;

interface ListPage<T> {
  items: T[];
  metadata?: { _continue?: string; remainingItemCount?: number };
}

/** Items of one list, at most `max`; `cut` when the server had more, `more` how many when it says. */
export interface Listed<T> {
  items: T[];
  cut: boolean;
  more?: number;
}

/** Pages through a list with `limit` and `continue`, never holding more than `max` items. */
export async function listBounded<T>(
  page: (p: { limit: number; _continue?: string }) => Promise<ListPage<T>>,
  max: number,
): Promise<Listed<T>> {
  const items: T[] = [];
  let token: string | undefined;
  for (;;) {
    const res = await page({
      limit: Math.max(1, Math.min(PAGE_SIZE, max - items.length)),
      ...(token ? { _continue: token } : {}),
    });
    items.push(...res.items.slice(0, max - items.length));
    token = res.metadata?._continue || undefined;
    if (!token) return { items, cut: false };
    if (items.length >= max) {
      const more = res.metadata?.remainingItemCount;
      return more === undefined ? { items, cut: true } : { items, cut: true, more };
    }
  }
}

/** Says that a list was cut, and by which setting. */
export function cutNote(resource: string, listed: Listed<unknown>): string {
  const more = listed.more === undefined ? 'more exist' : `${listed.more} more`;
  return `listed only the first ${listed.items.length} ${resource} (${more}, not read: KUBE_LIST_LIMIT)`;
}

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

function logPath(
  namespace: string,
  pod: string,
  container: string | undefined,
  previous: boolean,
  tailLines: number,
): string {
  const params = [
    container !== undefined ? `container=${container}` : '',
    previous ? 'previous=true' : '',
    `tailLines=${tailLines}`,
    'timestamps=true',
  ];
  return `GET /api/v1/namespaces/${namespace}/pods/${pod}/log?${params.filter(Boolean).join('&')}`;
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
async function ownerChain(
  c: Clients,
  namespace: string,
  refs: V1OwnerReference[] | undefined,
  o: ConfigurationOptions,
  ctx: CollectContext,
): Promise<PodData['owners']> {
  const read: Record<string, (name: string) => Promise<{ metadata?: V1ObjectMeta }>> = {
    ReplicaSet: (name) => c.apps.readNamespacedReplicaSet({ name, namespace }, o),
    Deployment: (name) => c.apps.readNamespacedDeployment({ name, namespace }, o),
    StatefulSet: (name) => c.apps.readNamespacedStatefulSet({ name, namespace }, o),
    DaemonSet: (name) => c.apps.readNamespacedDaemonSet({ name, namespace }, o),
    Job: (name) => c.batch.readNamespacedJob({ name, namespace }, o),
    CronJob: (name) => c.batch.readNamespacedCronJob({ name, namespace }, o),
  };
  const chain: PodData['owners'] = [];
  let ref = controllerOf(refs);
  // Depth-bounded: owner references could, in a broken cluster, form a cycle.
  for (let depth = 0; ref && depth < 5; depth++) {
    chain.push({ kind: ref.kind, name: ref.name });
    const reader = read[ref.kind];
    if (!reader) break; // e.g. an operator's custom resource: named, not read
    try {
      ref = controllerOf((await reader(ref.name)).metadata?.ownerReferences);
    } catch (err) {
      // A missing or forbidden owner ends the chain; the pod itself is still worth reporting.
      if (isAbort(err, ctx)) throw err;
      break;
    }
  }
  return chain;
}

function workloadBase(
  kind: WorkloadData['kind'],
  meta: V1ObjectMeta | undefined,
  namespace: string,
  conds: WorkloadData['conditions'],
): WorkloadData {
  return {
    kind,
    name: meta?.name ?? '',
    namespace: meta?.namespace ?? namespace,
    labels: meta?.labels ?? {},
    conditions: conds,
    revisions: [],
  };
}

/** Optional detail (revisions): a failure there is noted, not fatal, unless the call timed out. */
async function optional<T>(
  ctx: CollectContext,
  what: string,
  notes: string[],
  fn: () => Promise<T>,
  fallback: T,
): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (isAbort(err, ctx)) throw err;
    const reason = isApiException(err)
      ? `${err.code} ${statusMessage(err)}`
      : err instanceof Error
        ? err.message
        : String(err);
    notes.push(`${what} unavailable: ${reason}`);
    return fallback;
  }
}

function withNotes(query: string, data: WorkloadData, notes: string[]): Outcome<WorkloadData> {
  const out: Outcome<WorkloadData> = { status: 'ok', query, data };
  if (notes.length > 0) out.error = notes.join('; ');
  if (notes.some((n) => n.includes('KUBE_LIST_LIMIT'))) out.truncated = true;
  return out;
}

async function workload(
  c: Clients,
  r: Extract<KubernetesRequest, { kind: 'workload' }>,
  query: string,
  o: ConfigurationOptions,
  ctx: CollectContext,
): Promise<Outcome<WorkloadData>> {
  const { namespace, name } = r;
  const notes: string[] = [];
  switch (r.workloadKind) {
    case 'Deployment': {
      const d = await c.apps.readNamespacedDeployment({ name, namespace }, o);
      const data = workloadBase('Deployment', d.metadata, namespace, conditions(d.status?.conditions));
      data.desiredReplicas = d.spec?.replicas ?? 1;
      data.readyReplicas = d.status?.readyReplicas ?? 0;
      data.updatedReplicas = d.status?.updatedReplicas ?? 0;
      data.availableReplicas = d.status?.availableReplicas ?? 0;
      // Each rollout leaves a ReplicaSet carrying its revision number and pod template.
      data.revisions = await optional(
        ctx,
        'revisions',
        notes,
        async () => {
          const list = await listBounded(
            (page) =>
              c.apps.listNamespacedReplicaSet(
                { namespace, labelSelector: selectorString(d.spec?.selector), ...page },
                o,
              ),
            c.listLimit,
          );
          if (list.cut) notes.push(`revisions: ${cutNote('replicasets', list)}`);
          return newestRevisions(
            list.items
              .filter((rs) => ownedBy(rs.metadata, d.metadata?.uid))
              .map((rs) => ({
                revision: rs.metadata?.annotations?.['deployment.kubernetes.io/revision'] ?? '0',
                images: templateImages(rs.spec?.template),
                createdAt: iso(rs.metadata?.creationTimestamp) ?? '',
              })),
          );
        },
        [],
      );
      return withNotes(query, data, notes);
    }
    case 'StatefulSet':
    case 'DaemonSet': {
      const isSts = r.workloadKind === 'StatefulSet';
      const obj = isSts
        ? await c.apps.readNamespacedStatefulSet({ name, namespace }, o)
        : await c.apps.readNamespacedDaemonSet({ name, namespace }, o);
      const data = workloadBase(r.workloadKind, obj.metadata, namespace, conditions(obj.status?.conditions));
      if (isSts) {
        const s = obj as Awaited<ReturnType<AppsV1Api['readNamespacedStatefulSet']>>;
        data.desiredReplicas = s.spec?.replicas ?? 1;
        data.readyReplicas = s.status?.readyReplicas ?? 0;
        data.updatedReplicas = s.status?.updatedReplicas ?? 0;
        data.availableReplicas = s.status?.availableReplicas ?? 0;
      } else {
        const ds = obj as Awaited<ReturnType<AppsV1Api['readNamespacedDaemonSet']>>;
        data.desiredReplicas = ds.status?.desiredNumberScheduled ?? 0;
        data.readyReplicas = ds.status?.numberReady ?? 0;
        data.updatedReplicas = ds.status?.updatedNumberScheduled ?? 0;
        data.availableReplicas = ds.status?.numberAvailable ?? 0;
      }
      const current = [
        {
          revision: 'current',
          images: templateImages(obj.spec?.template),
          createdAt: iso(obj.metadata?.creationTimestamp) ?? '',
        },
      ];
      // StatefulSets and DaemonSets keep their history as ControllerRevisions.
      const revisions = await optional(
        ctx,
        'revisions',
        notes,
        async () => {
          const list = await listBounded(
            (page) =>
              c.apps.listNamespacedControllerRevision(
                { namespace, labelSelector: selectorString(obj.spec?.selector), ...page },
                o,
              ),
            c.listLimit,
          );
          if (list.cut) notes.push(`revisions: ${cutNote('controllerrevisions', list)}`);
          return newestRevisions(
            list.items
              .filter((cr) => ownedBy(cr.metadata, obj.metadata?.uid))
              .map((cr) => ({
                revision: String(cr.revision),
                images: revisionDataImages(cr.data),
                createdAt: iso(cr.metadata?.creationTimestamp) ?? '',
              })),
          );
        },
        [],
      );
      data.revisions = revisions.length > 0 ? revisions : current;
      return withNotes(query, data, notes);
    }
    case 'ReplicaSet': {
      const rs = await c.apps.readNamespacedReplicaSet({ name, namespace }, o);
      const data = workloadBase('ReplicaSet', rs.metadata, namespace, conditions(rs.status?.conditions));
      data.desiredReplicas = rs.spec?.replicas ?? 1;
      data.readyReplicas = rs.status?.readyReplicas ?? 0;
      data.availableReplicas = rs.status?.availableReplicas ?? 0;
      data.revisions = [
        {
          revision: rs.metadata?.annotations?.['deployment.kubernetes.io/revision'] ?? 'current',
          images: templateImages(rs.spec?.template),
          createdAt: iso(rs.metadata?.creationTimestamp) ?? '',
        },
      ];
      return withNotes(query, data, notes);
    }
    case 'Job': {
      const job = await c.batch.readNamespacedJob({ name, namespace }, o);
      const data = workloadBase('Job', job.metadata, namespace, conditions(job.status?.conditions));
      if (job.spec?.completions !== undefined) data.desiredReplicas = job.spec.completions;
      if (job.status?.ready !== undefined) data.readyReplicas = job.status.ready;
      data.failed = job.status?.failed ?? 0;
      data.succeeded = job.status?.succeeded ?? 0;
      data.revisions = [
        {
          revision: 'current',
          images: templateImages(job.spec?.template),
          createdAt: iso(job.metadata?.creationTimestamp) ?? '',
        },
      ];
      return withNotes(query, data, notes);
    }
    case 'CronJob': {
      const cj = await c.batch.readNamespacedCronJob({ name, namespace }, o);
      const data = workloadBase('CronJob', cj.metadata, namespace, []);
      if (cj.spec?.suspend) data.conditions.push({ type: 'Suspended', status: 'True' });
      // The "revisions" of a CronJob are its last Jobs, newest first.
      const jobs = await optional(
        ctx,
        'recent jobs',
        notes,
        async () => {
          const list = await listBounded(
            (page) => c.batch.listNamespacedJob({ namespace, ...page }, o),
            c.listLimit,
          );
          if (list.cut) notes.push(`recent jobs: ${cutNote('jobs', list)}`);
          return list.items
            .filter((j) => ownedBy(j.metadata, cj.metadata?.uid))
            .sort((a, b) =>
              (iso(b.metadata?.creationTimestamp) ?? '').localeCompare(
                iso(a.metadata?.creationTimestamp) ?? '',
              ),
            )
            .slice(0, MAX_REVISIONS);
        },
        [] as V1Job[],
      );
      data.revisions = jobs.map((j) => ({
        revision: j.metadata?.name ?? '',
        images: templateImages(j.spec?.template),
        createdAt: iso(j.metadata?.creationTimestamp) ?? '',
      }));
      const is = (j: V1Job, type: string) =>
        (j.status?.conditions ?? []).some((cond) => cond.type === type && cond.status === 'True');
      data.failed = jobs.filter((j) => is(j, 'Failed')).length;
      data.succeeded = jobs.filter((j) => is(j, 'Complete')).length;
      const newest = jobs[0];
      if (newest) {
        for (const cond of conditions(newest.status?.conditions)) {
          data.conditions.push({
            ...cond,
            message: `last job ${newest.metadata?.name}: ${cond.message ?? cond.reason ?? cond.type}`,
          });
        }
      }
      return withNotes(query, data, notes);
    }
  }
}

const PREVIOUS_MISSING = /previous terminated container .* not found/i;

async function previousLogs(
  c: Clients,
  r: Extract<KubernetesRequest, { kind: 'previous_logs' }>,
  initialQuery: string,
  o: ConfigurationOptions,
  ctx: CollectContext,
): Promise<Outcome<LogsData>> {
  const target: Target = {
    resource: 'pods/log',
    label: `pod ${r.namespace}/${r.pod}`,
    namespace: r.namespace,
    hint: 'it may have been replaced',
  };
  const tailLines = Math.max(1, Math.min(Math.floor(r.tailLines), MAX_LOG_LINES));
  let container = r.container;
  let query = initialQuery;
  try {
    if (container === undefined) {
      // Several containers need a name; the one restarting most is the one whose last run matters.
      const pod = await c.core.readNamespacedPod({ name: r.pod, namespace: r.namespace }, o);
      const statuses = pod.status?.containerStatuses ?? [];
      if (statuses.length > 1)
        container = [...statuses].sort((a, b) => b.restartCount - a.restartCount)[0]!.name;
    }
    query = logPath(r.namespace, r.pod, container, true, tailLines);
    const params = {
      name: r.pod,
      namespace: r.namespace,
      previous: true,
      tailLines,
      timestamps: true,
      ...(container ? { container } : {}),
    };
    let text: string;
    let title: string | undefined;
    try {
      text = await c.core.readNamespacedPodLog(params, o);
    } catch (err) {
      if (!(
        isApiException(err) &&
        (err.code === 400 || err.code === 404) &&
        PREVIOUS_MISSING.test(statusMessage(err))
      ))
        throw err;
      // No earlier run to read (the container never restarted): its current logs are the next best.
      query = logPath(r.namespace, r.pod, container, false, tailLines);
      title = `${r.title} (current logs: the container has no previous run)`;
      text = await c.core.readNamespacedPodLog({ ...params, previous: false }, o);
    }
    const all = logLines(text);
    let truncated = all.length > tailLines;
    const lines = all.slice(-tailLines).map((l) => {
      const capped = capText(l.line, MAX_LINE_CHARS);
      if (capped.cut) truncated = true;
      return { ...l, line: capped.text };
    });
    const base: Outcome<LogsData> =
      lines.length === 0
        ? { status: 'empty', query }
        : { status: 'ok', query, data: { backend: 'kubernetes', lines }, truncated };
    if (title) base.title = title;
    return base;
  } catch (err) {
    return failure(err, target, query, c.server, ctx);
  }
}
