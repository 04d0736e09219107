import { z } from 'zod';
import { scopeDenial } from '../policy.js';
import type { ChatTool, ToolOutput, TurnContext } from '../types.js';
import { fromItem } from './item.js';
import { deniedOutput } from './promql.js';
import type { EvidenceRequest } from '../../collectors/evidence.js';

// Read-only Kubernetes reads of a case's target, through the investigation's own collectors (they
// bound list sizes with KUBE_LIST_LIMIT and apply COLLECTOR_NAMESPACES_*).

const name = z.string().min(1).max(253);
const scope = { cluster: z.string().max(200).nullable().default(null), namespace: name };

async function collect(
  ctx: TurnContext,
  request: EvidenceRequest,
  cluster: string | null,
): Promise<ToolOutput> {
  const denied = scopeDenial(ctx.deps.limits, {
    cluster,
    namespace: (request as { namespace?: string }).namespace ?? null,
  });
  if (denied) return deniedOutput(denied);
  const end = ctx.deps.now();
  const item = await ctx.deps.collectors.collect(request, {
    start: new Date(end.getTime() - 3_600_000),
    end,
  });
  return fromItem(item, ctx);
}

const podInput = z.object({ ...scope, pod: name });
export const k8sPodTool: ChatTool<z.infer<typeof podInput>> = {
  name: 'k8s_pod',
  description:
    'Reads one pod (phase, containers, restarts, last termination, owners) from the Kubernetes API.',
  inputSchema: podInput,
  request: (i) => `GET /api/v1/namespaces/${i.namespace}/pods/${i.pod}`,
  run: (i, ctx) =>
    collect(
      ctx,
      {
        id: 'chat-pod',
        title: `pod ${i.namespace}/${i.pod}`,
        source: 'kubernetes',
        kind: 'pod',
        namespace: i.namespace,
        pod: i.pod,
      },
      i.cluster,
    ),
};

const rolloutInput = z.object({
  ...scope,
  kind: z.enum(['Deployment', 'StatefulSet', 'DaemonSet', 'Job', 'CronJob', 'ReplicaSet']),
  name,
});
export const k8sRolloutTool: ChatTool<z.infer<typeof rolloutInput>> = {
  name: 'k8s_rollout',
  description: 'Reads a workload (replicas, rollout conditions, recent revisions and their images).',
  inputSchema: rolloutInput,
  request: (i) => `GET ${i.kind} ${i.namespace}/${i.name} (+ revisions)`,
  run: (i, ctx) =>
    collect(
      ctx,
      {
        id: 'chat-workload',
        title: `${i.kind} ${i.namespace}/${i.name}`,
        source: 'kubernetes',
        kind: 'workload',
        namespace: i.namespace,
        workloadKind: i.kind,
        name: i.name,
      },
      i.cluster,
    ),
};

const eventsInput = z.object({ ...scope, involvedName: name.optional() });
export const k8sEventsTool: ChatTool<z.infer<typeof eventsInput>> = {
  name: 'k8s_events',
  description: 'Lists recent Kubernetes events of a namespace, optionally of one object.',
  inputSchema: eventsInput,
  request: (i) =>
    `GET /api/v1/namespaces/${i.namespace}/events${i.involvedName ? `?fieldSelector=involvedObject.name=${i.involvedName}` : ''}`,
  run: (i, ctx) =>
    collect(
      ctx,
      {
        id: 'chat-events',
        title: `events in ${i.namespace}${i.involvedName ? ` for ${i.involvedName}` : ''}`,
        source: 'kubernetes',
        kind: 'events',
        namespace: i.namespace,
        ...(i.involvedName ? { involvedName: i.involvedName } : {}),
      },
      i.cluster,
    ),
};

const logsInput = z.object({
  ...scope,
  pod: name.optional(),
  container: name.optional(),
  lines: z.number().int().positive().default(20),
  minutes: z.number().int().positive().default(30),
});
export const logsTailTool: ChatTool<z.infer<typeof logsInput>> = {
  name: 'logs_tail',
  description:
    'The newest log lines of a namespace/pod/container from the logs backend (VictoriaLogs or Loki), at most CHAT_MAX_LOG_LINES lines from the last `minutes`.',
  inputSchema: logsInput,
  request: (i, ctx) =>
    `logs namespace=${i.namespace}${i.pod ? ` pod=${i.pod}` : ''}${i.container ? ` container=${i.container}` : ''} last ${Math.min(i.lines, ctx.deps.limits.maxLogLines)} lines, ${i.minutes}m`,
  async run(i, ctx) {
    const denied = scopeDenial(ctx.deps.limits, { cluster: i.cluster, namespace: i.namespace });
    if (denied) return deniedOutput(denied);
    const end = ctx.deps.now();
    const minutes = Math.min(i.minutes, Math.round(ctx.deps.limits.maxRangeMs / 60_000));
    const item = await ctx.deps.collectors.collect(
      {
        id: 'chat-logs',
        title: `logs of ${i.namespace}${i.pod ? `/${i.pod}` : ''}`,
        source: 'logs',
        kind: 'logs',
        namespace: i.namespace,
        ...(i.pod ? { pod: i.pod } : {}),
        ...(i.container ? { container: i.container } : {}),
        limit: Math.min(i.lines, ctx.deps.limits.maxLogLines),
      },
      { start: new Date(end.getTime() - minutes * 60_000), end },
    );
    return fromItem(item, ctx);
  },
};
