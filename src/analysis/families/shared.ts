// Causes and requests more than one family uses: a crashed container's exit code, one pod versus
// all, memory growth, capacity behind a service, node conditions and node-level evidence.

import type { ContainerState, EventsData, EvidenceItem } from '../../collectors/evidence.js';
import {
  containersOf,
  instantValue,
  memoryUsage,
  nodeConditions,
  activeLabel,
  restartsInWindow,
  workload,
  workloadRestarts,
  type Fact,
} from '../facts.js';
import { hypothesis } from '../claim.js';
import type { Ctx } from '../model.js';
import { EV } from '../ids.js';
import { q } from '../queries.js';
import { segments } from '../series.js';
import { bytes, cap, oneLine, pct, plural } from '../text.js';
import { view } from '../view.js';
import type { H, PlanCtx, StepCtx } from './types.js';
import type { NextStep } from '../../contract/report.js';

/** Node-level sub-kinds (`node_not_ready`, `node_filesystem`, …): the alert is about a node. */
export const isNodeSub = (sub: string | null | undefined): boolean =>
  sub === 'node' || !!sub?.startsWith('node_');

const EXIT_MEANING: Record<number, string> = {
  0: 'the process finished successfully but the pod restarts it (wrong command, or a one-shot task run as a Deployment)',
  1: 'the application exited with a generic error',
  2: 'the application rejected its arguments or configuration',
  126: 'the entrypoint is not executable',
  127: 'the entrypoint or a command it runs was not found in the image',
  134: 'the process aborted (SIGABRT), e.g. a failed assertion or native crash',
  137: 'the process was killed with SIGKILL (liveness probe or external kill; the termination reason is not OOMKilled)',
  139: 'the process crashed with a segmentation fault (SIGSEGV)',
  143: 'the process was stopped with SIGTERM and exited',
};

export function crashContainer(ctx: Ctx): { c: ContainerState; fact: Fact<ContainerState[]> } | null {
  const fact = containersOf(ctx.evidence, ctx.target.container);
  const c = fact?.value.find((x) => x.lastTermination) ?? fact?.value[0];
  return fact && c ? { c, fact } : null;
}

export function exitCodeHypothesis(ctx: Ctx): H {
  const pod = crashContainer(ctx);
  const promExit = instantValue(ctx.evidence, EV.exitCode);
  const code = pod?.c.lastTermination?.exitCode ?? promExit?.value;
  const reason =
    pod?.c.lastTermination?.reason ?? activeLabel(ctx.evidence, EV.lastTerminated, 'reason')?.value[0];
  if (code == null || reason === 'OOMKilled') return null;
  const restarts = restartsInWindow(ctx.evidence);
  const meaning = EXIT_MEANING[code] ?? 'the application exited with an error';
  const msg = pod?.c.lastTermination?.message;
  return hypothesis(
    ctx,
    `exit.${code}`,
    `Container exits with code ${code}: ${meaning}`,
    code === 0 || code === 127 || code === 126 ? 65 : code === 137 ? 55 : 50,
    `Last termination${reason ? ` ${reason}` : ''} with exit code ${code}${pod?.c.lastTermination?.finishedAt ? ` at ${pod.c.lastTermination.finishedAt}` : ''}${restarts ? `; ${plural(Math.round(restarts.value), 'restart')} in the window` : ''}${msg ? `; termination message: "${cap(msg, 150)}"` : ''}. The logs of the previous container say why.`,
    [pod?.fact.item, promExit?.item, restarts?.item],
  );
}

/** One bad pod vs. all pods of the workload is the first fork in a crash investigation. */
export function siblingsHypothesis(ctx: Ctx): H {
  const wr = workloadRestarts(ctx.evidence);
  if (!wr || wr.value.pods < 2) return null;
  const all = wr.value.restarting === wr.value.pods;
  if (!all && wr.value.restarting > 1) return null;
  return hypothesis(
    ctx,
    all ? 'scope.all_pods' : 'scope.single_pod',
    all
      ? `All ${wr.value.pods} pods of the workload restart: a shared cause (code, config, dependency), not this pod`
      : `Only this pod of ${wr.value.pods} restarts: something specific to it (node, volume, data, shard)`,
    all ? 60 : 50,
    `${wr.value.restarting} of ${wr.value.pods} pods restarted in the window (${Math.round(wr.value.total)} restarts in total).`,
    [wr.item],
  );
}

export function leakHypothesis(ctx: Ctx): H {
  const mem = memoryUsage(ctx.evidence);
  if (!mem || mem.value.growthPerHour === null || mem.value.growthPerHour <= 0) return null;
  const hours = (Date.parse(ctx.window.end) - Date.parse(ctx.window.start)) / 3_600_000;
  const grown = mem.value.growthPerHour * hours;
  if (grown < 0.3 * mem.value.peak) return null;
  return hypothesis(
    ctx,
    'memory.growth',
    `Memory grows steadily (~${bytes(mem.value.growthPerHour)}/h): possible leak or unbounded cache`,
    60,
    `The working set trends upward across the window (peak ${bytes(mem.value.peak)}, latest ${bytes(mem.value.latest)}). Steady growth that restarts reset points at a leak rather than a load spike.`,
    [mem.item],
  );
}

/** Pods restarting or replicas missing behind a service. */
export function capacityHypotheses(ctx: Ctx, who: string): H[] {
  const out: H[] = [];
  const wr = workloadRestarts(ctx.evidence);
  if (wr && wr.value.restarting > 0) {
    out.push(
      hypothesis(
        ctx,
        'capacity.restarts',
        `${who} pods restarting: ${wr.value.restarting} of ${wr.value.pods} pods, ${Math.round(wr.value.total)} restarts in the window`,
        65,
        'Requests fail while pods restart and before they are ready again; the restart cause is the next thing to find.',
        [wr.item],
      ),
    );
  }
  const w = workload(ctx.evidence);
  const desired = w?.value.desiredReplicas;
  const available = w?.value.availableReplicas ?? 0;
  if (w && desired != null && available < desired) {
    out.push(
      hypothesis(
        ctx,
        'capacity.replicas',
        `Reduced capacity: ${available} of ${desired} replicas of ${w.value.kind} ${w.value.name} available`,
        available === 0 ? 80 : 60,
        available === 0
          ? 'No replica is available, so every request fails or queues.'
          : 'Fewer replicas carry the load, raising errors and latency.',
        [w.item],
      ),
    );
  }
  return out;
}

export function nodeConditionHypotheses(ctx: Ctx): H[] {
  const conds = nodeConditions(ctx.evidence);
  if (!conds) return [];
  const out: H[] = [];
  const ready = conds.value.find((c) => c.type === 'Ready');
  if (ready && ready.status !== 'True') {
    out.push(
      hypothesis(
        ctx,
        'node.not_ready',
        `Node not ready (Ready=${ready.status}${ready.reason ? `, ${ready.reason}` : ''})`,
        75,
        `${ready.message ? `"${cap(ready.message, 200)}". ` : ''}The kubelet stopped reporting healthy: it crashed, the node lost network or power, or the container runtime is down. Its pods are evicted after the toleration timeout.`,
        [conds.item],
      ),
    );
  }
  for (const c of conds.value) {
    if (c.type === 'Ready' || c.status !== 'True') continue;
    out.push(
      hypothesis(
        ctx,
        `node.${c.type}`,
        `Node reports ${c.type}`,
        c.type === 'NetworkUnavailable' ? 75 : 80,
        `${c.message ? `"${cap(c.message, 200)}". ` : ''}Resource use crossed the kubelet's eviction threshold; it evicts pods and refuses new ones until it recovers.`,
        [conds.item],
      ),
    );
  }
  return out;
}

/** Causes for an alert about a node: conditions, cordon, readiness flaps, filling filesystems. */
export function nodeHypotheses(ctx: Ctx): H[] {
  const out = nodeConditionHypotheses(ctx);
  const node = view.node(ctx.evidence, EV.node);
  if (node?.data.unschedulable) {
    out.push(
      hypothesis(
        ctx,
        'node.cordoned',
        'Node is cordoned (unschedulable): maintenance or a drain in progress',
        45,
        'A cordoned node is often being drained on purpose; check with whoever runs the node pool before acting.',
        [node.item],
      ),
    );
  }
  const ready = view.range(ctx.evidence, EV.nodeReady);
  if (ready) {
    const zeros = ready.data.series.flatMap((s) => s.points.filter(([, v]) => v === 0));
    const flaps = segments(zeros).length;
    if (flaps >= 3) {
      out.push(
        hypothesis(
          ctx,
          'node.flapping',
          `Node readiness flapped ${flaps} times in the window`,
          60,
          'Repeated NotReady episodes point at an unstable kubelet, network or overloaded node rather than a clean failure.',
          [ready.item],
        ),
      );
    }
  }
  const fs = view.range(ctx.evidence, EV.nodeFilesystem);
  if (fs) {
    const worst = fs.data.series
      .map((s) => ({ s, last: s.points[s.points.length - 1]?.[1] ?? 1 }))
      .sort((a, b) => a.last - b.last)[0];
    if (worst && worst.last < 0.4) {
      const first = worst.s.points[0];
      const lastPt = worst.s.points[worst.s.points.length - 1];
      let eta = '';
      if (first && lastPt && lastPt[1] < first[1] && lastPt[0] > first[0]) {
        const perSec = (first[1] - lastPt[1]) / (lastPt[0] - first[0]);
        eta = `; at the window's rate it fills in about ${Math.max(0, lastPt[1] / perSec / 3600).toFixed(1)} h`;
      }
      out.push(
        hypothesis(
          ctx,
          'node.filesystem',
          `Filesystem ${worst.s.labels.mountpoint ?? ''} on ${worst.s.labels.instance ?? 'the node'} has ${pct(worst.last)} free${eta}`,
          worst.last < 0.1 ? 85 : 65,
          'Usual culprits: container logs and images, emptyDir volumes, or a runaway file on a hostPath; kubelet image GC only frees unused images.',
          [fs.item],
        ),
      );
    }
  }
  const pods = view.instant(ctx.evidence, EV.podsOnNode);
  if (pods && out.length) {
    const total = pods.data.series.reduce((a, s) => a + s.value, 0);
    const h = out[0];
    if (h)
      h.rationale = oneLine(
        `${h.rationale} ${plural(total, 'pod')} in ${plural(pods.data.series.length, 'namespace')} run on this node.`,
        600,
      );
  }
  return out;
}

// ---- planning helpers

/** Restarts, last termination, exit code and waiting reason of the alert's container. */
export function planContainerState(p: PlanCtx): void {
  const { c, where, lb } = p;
  if (!c) return;
  p.range(EV.restarts, `Container restarts of ${where}`, q.restarts(c));
  p.instant(EV.lastTerminated, `Last termination reason of ${where}`, q.lastTerminatedReason(c, lb));
  p.instant(EV.exitCode, `Last exit code of ${where}`, q.lastTerminatedExitCode(c, lb));
  p.instant(EV.waiting, `Waiting reason of ${where}`, q.waitingReason(c, lb));
}

export function planMemory(p: PlanCtx): void {
  const { c, where, lb } = p;
  if (!c) return;
  p.range(EV.memory, `Memory working set of ${where}`, q.memoryWorkingSet(c));
  p.instant(EV.memoryLimit, `Memory limit of ${where}`, q.memoryLimit(c, lb));
}

export function planWorkloadRestarts(p: PlanCtx): void {
  const ns = p.labels.namespace;
  if (ns && p.workload)
    p.range(
      EV.workloadRestarts,
      `Restarts across pods of ${p.wName}`,
      q.workloadRestarts(ns, p.workload.name),
    );
}

/** Node conditions, readiness, pods on it and, for filesystem alerts, free space. */
export function planNode(p: PlanCtx): void {
  const { labels, lb, sub } = p;
  if (labels.node) {
    p.instant(
      EV.nodeConditions,
      `Active conditions of node ${labels.node}`,
      q.nodeConditions(labels.node, lb),
    );
    p.range(EV.nodeReady, `Ready condition of node ${labels.node} over the window`, q.nodeReady(labels.node));
    p.instant(
      EV.podsOnNode,
      `Pods scheduled on node ${labels.node}, by namespace`,
      q.podsOnNode(labels.node, lb),
    );
  }
  if (labels.instance && (sub?.startsWith('node_filesystem') || labels.mountpoint)) {
    p.range(
      EV.nodeFilesystem,
      `Free space ratio of ${labels.mountpoint ?? 'filesystems'} on ${labels.instance}`,
      q.nodeFilesystem(labels.instance, labels.mountpoint),
    );
  }
}

// ---- next-step helpers

export function podSteps(s: StepCtx, extra: NextStep[] = []): NextStep[] {
  const { c, r, step } = s;
  if (!c) return [];
  return [
    step(
      'promql',
      `Restarts over the last ${r}`,
      q.restartsIncrease(c, r),
      'How often it crashes and since when.',
    ),
    step(
      'promql',
      'Last termination reason',
      q.lastTerminatedReason(c, r),
      'OOMKilled, Error or Completed decides the next move.',
    ),
    ...extra,
  ];
}

export function nodeSteps(s: StepCtx): NextStep[] {
  const { labels, r, step } = s;
  const out: NextStep[] = [];
  if (labels.node) {
    out.push(
      step(
        'promql',
        'Active node conditions',
        q.nodeConditions(labels.node, r),
        'Ready, DiskPressure, MemoryPressure, PIDPressure.',
      ),
    );
    out.push(
      step('promql', 'Pods on the node by namespace', q.podsOnNode(labels.node, r), 'Who is affected.'),
    );
  }
  if (labels.instance && labels.mountpoint)
    out.push(
      step(
        'promql',
        'Free space ratio',
        q.nodeFilesystem(labels.instance, labels.mountpoint),
        'How fast it fills.',
      ),
    );
  return out;
}

/** Events about the target workload's own pods (or the workload), never about others. */
export function workloadPodEvents(ctx: Ctx): {
  items: EvidenceItem[];
  events: EventsData['events'];
  /** Each event with the evidence item it came from. */
  cited: { event: EventsData['events'][number]; item: EvidenceItem }[];
} {
  const w = ctx.target.workload?.name;
  // Pods the target's own series name (e.g. the `pod` label of its `up` series).
  const pods = new Set(
    [EV.up, EV.workloadRestarts].flatMap(
      (id) =>
        view.range(ctx.evidence, id)?.data.series.flatMap((s) => (s.labels.pod ? [s.labels.pod] : [])) ?? [],
    ),
  );
  const items: EvidenceItem[] = [];
  const events: EventsData['events'] = [];
  const cited: { event: EventsData['events'][number]; item: EvidenceItem }[] = [];
  for (const e of view.events(ctx.evidence)) {
    const own = e.data.events.filter((x) => {
      const name = x.object.split('/').slice(1).join('/');
      if (e.item.id !== EV.nsEvents) return true;
      return pods.has(name) || (!!w && (name === w || name.startsWith(`${w}-`)));
    });
    if (own.length) {
      items.push(e.item);
      events.push(...own);
      cited.push(...own.map((event) => ({ event, item: e.item })));
    }
  }
  return { items, events, cited };
}

/** Readiness or liveness probe failures on the target's pods: why a target stops serving. */
export function probeHypotheses(ctx: Ctx): H[] {
  const { items, events } = workloadPodEvents(ctx);
  const out: H[] = [];
  for (const kind of ['Readiness', 'Liveness', 'Startup'] as const) {
    const hits = events.filter(
      (e) => e.reason === 'Unhealthy' && e.message.startsWith(`${kind} probe failed`),
    );
    if (!hits.length) continue;
    const count = hits.reduce((a, e) => a + (e.count || 1), 0);
    const pods = new Set(hits.map((e) => e.object)).size;
    out.push(
      hypothesis(
        ctx,
        `probe.${kind.toLowerCase()}`,
        `${kind} probe failing on ${plural(pods, 'pod')}: ${cap(hits[0]!.message, 120)}`,
        kind === 'Readiness' ? 82 : 78,
        `${plural(count, 'probe failure')} recorded on the workload's pods. ${kind === 'Readiness' ? 'A pod that fails readiness is removed from its Service endpoints, so scrapes and requests to it fail while the process keeps running' : kind === 'Liveness' ? 'The kubelet restarts a container that fails liveness, so it is down between restarts' : 'The container never finishes starting'}; the probe's endpoint and the application logs say why it answers badly.`,
        items,
      ),
    );
  }
  return out;
}
