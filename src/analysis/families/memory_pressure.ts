// Memory close to a limit: a container near its limit, a node running out, or a cluster whose
// requests exceed what its nodes can give.

import { instantValue, memoryUsage, rangeStats } from '../facts.js';
import { hypothesis } from '../claim.js';
import { EV } from '../ids.js';
import { q } from '../queries.js';
import { bytes, pct } from '../text.js';
import { leakHypothesis, nodeConditionHypotheses, planContainerState, planMemory } from './shared.js';
import type { FamilyModule, H } from './types.js';

export const memoryPressure: FamilyModule = {
  family: 'memory_pressure',
  label: 'Memory pressure',
  impact: [5, 'memory is close to a limit; failure is likely but not yet happening'],
  matchAlert: (name, labels) =>
    name === 'KubeNodePressure' && labels.condition === 'MemoryPressure' ? 'node_memory_pressure' : undefined,
  alertNames: {
    KubeMemoryOvercommit: 'cluster_overcommit',
    KubeMemoryQuotaOvercommit: 'quota_overcommit',
    NodeMemoryHighUtilization: 'node_memory',
    NodeMemoryMajorPagesFaults: 'node_memory',
  },
  namePatterns: [{ re: /mem(ory)?|heap/i, sub: null, order: 70 }],
  exprPatterns: [
    {
      re: /container_memory_working_set_bytes|node_memory_|kube_node_status_allocatable\{[^}]*memory/,
      sub: null,
      order: 70,
    },
  ],
  podLevel: true,
  podSubject: true,
  workloadObject: true,
  previousLogs: true,
  nodeObject: () => true,
  nodeSubject: (_sub, labels) => !labels.pod && !!(labels.node || labels.instance),
  plan: (p) => {
    planContainerState(p);
    planMemory(p);
    const { labels, sub, lb } = p;
    if (labels.instance && !labels.pod) {
      p.range(EV.nodeMemory, `Available memory ratio of ${labels.instance}`, q.nodeMemory(labels.instance));
    }
    if (labels.node) {
      p.instant(
        EV.nodeConditions,
        `Active conditions of node ${labels.node}`,
        q.nodeConditions(labels.node, lb),
      );
    }
    if (sub === 'cluster_overcommit' || (!labels.pod && !labels.instance && !labels.node)) {
      p.instant(EV.clusterMemory, 'Cluster memory requests vs allocatable', q.clusterMemoryRequests());
    }
  },
  symptoms: [EV.memory],
  hypotheses: (ctx) => {
    const out: H[] = [];
    const mem = memoryUsage(ctx.evidence);
    const limit = instantValue(ctx.evidence, EV.memoryLimit);
    if (mem && limit && limit.value > 0) {
      const ratio = mem.value.latest / limit.value;
      out.push(
        hypothesis(
          ctx,
          'memory.near_limit',
          `Working set at ${pct(ratio)} of the memory limit (${bytes(mem.value.latest)} of ${bytes(limit.value)})`,
          ratio >= 0.9 ? 75 : 55,
          ratio >= 0.9
            ? 'The container is close to its limit; the next allocation spike gets it OOM-killed.'
            : 'Memory is elevated but not at the limit.',
          [mem.item, limit.item],
        ),
      );
    }
    out.push(leakHypothesis(ctx));
    const node = rangeStats(ctx.evidence, EV.nodeMemory);
    if (node && node.value.min < 0.15) {
      out.push(
        hypothesis(
          ctx,
          'memory.node',
          `Node memory nearly exhausted: ${pct(node.value.latest)} available now (low ${pct(node.value.min)})`,
          75,
          'With little memory available the kernel reclaims page cache and the kubelet starts evicting pods.',
          [node.item],
        ),
      );
    }
    const cluster = instantValue(ctx.evidence, EV.clusterMemory);
    if (cluster && cluster.value > 0.9) {
      out.push(
        hypothesis(
          ctx,
          'memory.overcommit',
          `Memory requests at ${pct(cluster.value)} of allocatable across the cluster`,
          cluster.value > 1 ? 70 : 55,
          'The cluster cannot absorb the loss of a node without pods going Pending; add capacity or right-size requests.',
          [cluster.item],
        ),
      );
    }
    out.push(...nodeConditionHypotheses(ctx));
    return out;
  },
  promqlSteps: ({ c, labels, r, step }) => {
    const out = [];
    if (c)
      out.push(
        step(
          'promql',
          'Peak memory versus limit',
          q.memoryVsLimit(c, r),
          'How close to an OOM kill the container runs.',
        ),
      );
    if (labels.instance && !labels.pod)
      out.push(
        step(
          'promql',
          'Available memory ratio on the node',
          q.nodeMemory(labels.instance),
          'Below ~10% the kubelet starts evicting.',
        ),
      );
    if (!c && !labels.instance)
      out.push(
        step(
          'promql',
          'Cluster memory requests vs allocatable',
          q.clusterMemoryRequests(),
          'Above 1 the cluster cannot schedule everything it promised.',
        ),
      );
    return out;
  },
};
