import { type ConfigurationOptions } from '@kubernetes/client-node';
import type { LogsData } from './evidence.js';
import { capText, MAX_LINE_CHARS, MAX_LOG_LINES, type CollectContext, type Outcome } from './item.js';
import { logLines } from './kube-objects.js';
import {
  type Target,
  failure,
  type Clients,
  statusMessage,
  isApiException,
  type KubernetesRequest,
} from './kube-api.js';

export function logPath(
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

const PREVIOUS_MISSING = /previous terminated container .* not found/i;

export async function previousLogs(
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
