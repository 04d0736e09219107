import { any, normalize } from '../text.js';
import { kubeTarget } from '../target.js';
import type { Intent, ToolOutput } from '../types.js';
import type { EventsData, PodData, WorkloadData } from '../../collectors/evidence.js';
import { citationsOf, unavailable } from './format.js';

type What = 'pod' | 'rollout' | 'events';

export const kubernetesIntent: Intent<{ what: What[] }> = {
  name: 'kubernetes',
  scopes: ['case'],
  help: 'Kubernetes state of the target: pod, rollout, events — "show the pod", "rollout status", "k8s events"',
  match(text) {
    const t = normalize(text);
    const what = new Set<What>();
    if (/\b(pods?|containers?|restarts?|crash\w*|oomkill\w*|phase)\b/.test(t)) what.add('pod');
    if (/\b(rollouts?|deployments?|statefulsets?|daemonsets?|replicas?|workload)\b/.test(t))
      what.add('rollout');
    if (/\b(k8s|kube|kubernetes) events?\b|\bevents?\b/.test(t)) what.add('events');
    if (what.size === 0 && any(t, [/\b(k8s|kubernetes|kubectl|cluster state)\b/]))
      ['pod', 'rollout', 'events'].forEach((w) => what.add(w as What));
    if (what.size === 0) return null;
    return { score: 2.5, params: { what: [...what] } };
  },
  async answer(p, ctx, call) {
    const t = kubeTarget(ctx.facts!);
    if (!t.namespace)
      return {
        text: 'This case names no namespace, so I cannot tell which Kubernetes objects to read.',
        citations: [],
      };
    const outs: ToolOutput[] = [];
    const lines: string[] = [];
    const cluster = t.cluster;
    if (p.what.includes('pod')) {
      if (!t.pod) lines.push('Pod: this case names no pod.');
      else {
        const out = await call('k8s_pod', { cluster, namespace: t.namespace, pod: t.pod });
        outs.push(out);
        if (out.status !== 'ok') lines.push(`Pod: ${unavailable(`pod ${t.namespace}/${t.pod}`, out)}`);
        else {
          const d = out.result as PodData;
          lines.push(`Pod ${d.namespace}/${d.name} is ${d.phase}${d.node ? ` on ${d.node}` : ''}.`);
          for (const c of d.containers ?? [])
            lines.push(
              `- ${c.name}: ${c.state}${c.reason ? ` (${c.reason})` : ''}, ${c.restartCount} restarts${c.lastTermination?.reason ? `, last exit ${c.lastTermination.reason}${c.lastTermination.exitCode !== undefined ? ` code ${c.lastTermination.exitCode}` : ''}` : ''}`,
            );
        }
      }
    }
    if (p.what.includes('rollout')) {
      if (!t.workload) lines.push('Rollout: this case names no workload.');
      else {
        const out = await call('k8s_rollout', {
          cluster,
          namespace: t.namespace,
          kind: t.workload.kind,
          name: t.workload.name,
        });
        outs.push(out);
        if (out.status !== 'ok')
          lines.push(`Rollout: ${unavailable(`${t.workload.kind} ${t.namespace}/${t.workload.name}`, out)}`);
        else {
          const d = out.result as WorkloadData;
          lines.push(
            `${d.kind} ${d.namespace}/${d.name}: ${d.readyReplicas ?? 0}/${d.desiredReplicas ?? '?'} ready, ${d.updatedReplicas ?? 0} updated.`,
          );
          for (const c of (d.conditions ?? []).slice(0, 4))
            lines.push(`- ${c.type}=${c.status}${c.reason ? ` ${c.reason}` : ''}`);
          for (const r of (d.revisions ?? []).slice(0, 3))
            lines.push(`- revision ${r.revision} ${r.createdAt}: ${r.images.join(', ')}`);
        }
      }
    }
    if (p.what.includes('events')) {
      const involved = t.pod ?? t.workload?.name;
      const out = await call('k8s_events', {
        cluster,
        namespace: t.namespace,
        ...(involved ? { involvedName: involved } : {}),
      });
      outs.push(out);
      if (out.status !== 'ok') lines.push(`Events: ${unavailable(`events in ${t.namespace}`, out)}`);
      else {
        const d = out.result as EventsData;
        lines.push(`${d.events.length} events:`);
        for (const e of d.events.slice(0, 8))
          lines.push(`- ${e.lastSeen} ${e.type} ${e.reason} ${e.object}: ${e.message} (×${e.count})`);
      }
    }
    return { text: lines.join('\n'), citations: citationsOf(...outs) };
  },
};
