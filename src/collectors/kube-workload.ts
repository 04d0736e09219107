import {
  AppsV1Api,
  type ConfigurationOptions,
  type V1Job,
  type V1ObjectMeta,
  type V1OwnerReference,
} from '@kubernetes/client-node';
import type { PodData, WorkloadData } from './evidence.js';
import { isAbort } from './http.js';
import { type CollectContext, type Outcome } from './item.js';
import {
  conditions,
  controllerOf,
  iso,
  MAX_REVISIONS,
  newestRevisions,
  revisionDataImages,
  templateImages,
} from './kube-objects.js';
import {
  type Clients,
  listBounded,
  cutNote,
  selectorString,
  statusMessage,
  isApiException,
  ownedBy,
  type KubernetesRequest,
} from './kube-api.js';

export async function ownerChain(
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

export async function workload(
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
