import type {
  CoreV1Event,
  V1ContainerStatus,
  V1Node,
  V1OwnerReference,
  V1Pod,
  V1PodTemplateSpec,
} from '@kubernetes/client-node';
import type { ContainerState, EventsData, NodeData, PodData, WorkloadData } from './evidence.js';

// Pure conversions from Kubernetes API objects (as @kubernetes/client-node deserializes them:
// camelCase fields, Date objects for timestamps) to the evidence data shapes. No I/O here.

export const MAX_EVENTS = 30;
export const MAX_REVISIONS = 5;

type Condition = { type: string; status: string; reason?: string; message?: string };

/** Timestamps arrive as Date objects, or as strings inside untyped data (ControllerRevision). */
export function iso(value: Date | string | undefined | null): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? undefined : value.toISOString();
  return String(value);
}

export function conditions(list: readonly Condition[] | undefined): Condition[] {
  return (list ?? []).map((c) => {
    const out: Condition = { type: c.type, status: c.status };
    if (c.reason) out.reason = c.reason;
    if (c.message) out.message = c.message;
    return out;
  });
}

/** The controlling owner (controller: true), else the first owner. */
export function controllerOf(refs: readonly V1OwnerReference[] | undefined): V1OwnerReference | undefined {
  return refs?.find((r) => r.controller) ?? refs?.[0];
}

export function containerState(status: V1ContainerStatus): ContainerState {
  const out: ContainerState = {
    name: status.name,
    image: status.image,
    ready: status.ready,
    restartCount: status.restartCount,
    state: 'unknown',
  };
  const s = status.state;
  if (s?.waiting) {
    out.state = 'waiting';
    if (s.waiting.reason) out.reason = s.waiting.reason; // CrashLoopBackOff, ImagePullBackOff, …
    if (s.waiting.message) out.message = s.waiting.message;
  } else if (s?.terminated) {
    out.state = 'terminated';
    if (s.terminated.reason) out.reason = s.terminated.reason;
    if (s.terminated.message) out.message = s.terminated.message;
  } else if (s?.running) {
    out.state = 'running';
  }
  // Why the previous run ended (OOMKilled, Error + exit code): the usual answer for a crash loop.
  const last = status.lastState?.terminated;
  if (last) {
    const lt: NonNullable<ContainerState['lastTermination']> = {};
    if (last.reason) lt.reason = last.reason;
    if (typeof last.exitCode === 'number') lt.exitCode = last.exitCode;
    const finished = iso(last.finishedAt);
    if (finished) lt.finishedAt = finished;
    if (last.message) lt.message = last.message;
    out.lastTermination = lt;
  }
  return out;
}

export function podData(pod: V1Pod, owners: PodData['owners']): PodData {
  const statuses = [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])];
  const containers = statuses.map(containerState);
  // A pod not yet scheduled has no statuses; still list its containers so the shape is complete.
  for (const c of pod.spec?.containers ?? []) {
    if (!containers.some((s) => s.name === c.name)) {
      containers.push({
        name: c.name,
        image: c.image ?? '',
        ready: false,
        restartCount: 0,
        state: 'unknown',
      });
    }
  }
  const out: PodData = {
    name: pod.metadata?.name ?? '',
    namespace: pod.metadata?.namespace ?? '',
    phase: pod.status?.phase ?? 'Unknown',
    labels: pod.metadata?.labels ?? {},
    owners,
    containers,
    conditions: conditions(pod.status?.conditions),
  };
  if (pod.spec?.nodeName) out.node = pod.spec.nodeName;
  return out;
}

export function templateImages(template: V1PodTemplateSpec | undefined): string[] {
  const spec = template?.spec;
  return [...(spec?.initContainers ?? []), ...(spec?.containers ?? [])]
    .map((c) => c.image ?? '')
    .filter(Boolean);
}

/** Newest first by numeric revision; ties broken by creation time. */
export function newestRevisions(list: WorkloadData['revisions']): WorkloadData['revisions'] {
  return [...list]
    .sort((a, b) => Number(b.revision) - Number(a.revision) || b.createdAt.localeCompare(a.createdAt))
    .slice(0, MAX_REVISIONS);
}

/** Images inside a ControllerRevision's data (a patch holding spec.template for StatefulSets and DaemonSets). */
export function revisionDataImages(data: unknown): string[] {
  const template = (data as { spec?: { template?: V1PodTemplateSpec } } | undefined)?.spec?.template;
  return templateImages(template);
}

export function eventsData(events: CoreV1Event[]): { data: EventsData; truncated: boolean } {
  const rows = events.map((e) => {
    const lastSeen =
      iso(e.series?.lastObservedTime) ??
      iso(e.lastTimestamp) ??
      iso(e.eventTime) ??
      iso(e.firstTimestamp) ??
      iso(e.metadata?.creationTimestamp) ??
      '';
    return {
      type: e.type ?? 'Normal',
      reason: e.reason ?? '',
      message: e.message ?? '',
      object: `${e.involvedObject?.kind ?? '?'}/${e.involvedObject?.name ?? '?'}`,
      count: e.series?.count ?? e.count ?? 1,
      lastSeen,
    };
  });
  rows.sort((a, b) => b.lastSeen.localeCompare(a.lastSeen));
  return { data: { events: rows.slice(0, MAX_EVENTS) }, truncated: rows.length > MAX_EVENTS };
}

export function nodeData(node: V1Node): NodeData {
  return {
    name: node.metadata?.name ?? '',
    conditions: conditions(node.status?.conditions),
    unschedulable: node.spec?.unschedulable === true,
    labels: node.metadata?.labels ?? {},
  };
}

/** Splits `kubectl logs --timestamps` output into lines with their RFC3339 time. */
export function logLines(text: string): { time?: string; line: string }[] {
  const rows = text.split('\n');
  if (rows.length > 0 && rows[rows.length - 1] === '') rows.pop();
  return rows.map((row) => {
    const m = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:\d\d)) (.*)$/s.exec(row);
    return m ? { time: m[1]!, line: m[2]! } : { line: row };
  });
}
