// Family-specific causes. Each rule reads facts from evidence that answered and states what an
// SRE would conclude from them, with a score reflecting how directly the evidence shows it.

import type { ContainerState } from '../collectors/evidence.js';
import {
  activeLabel,
  alertActivity,
  containersOf,
  errorsByCode,
  instantValue,
  jobCounts,
  memoryUsage,
  nodeConditions,
  rangeStats,
  restartsInWindow,
  upTargets,
  workload,
  workloadRestarts,
  type Fact,
} from './facts.js';
import { hypothesis, type Ctx } from './hypotheses.js';
import { EV } from './ids.js';
import type { Hypothesis } from '../contract/report.js';
import { segments } from './series.js';
import { bytes, cap, oneLine, pct, plural } from './text.js';
import { view } from './view.js';

type H = Hypothesis | null;

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

function crashContainer(ctx: Ctx): { c: ContainerState; fact: Fact<ContainerState[]> } | null {
  const fact = containersOf(ctx.evidence, ctx.target.container);
  const c = fact?.value.find((x) => x.lastTermination) ?? fact?.value[0];
  return fact && c ? { c, fact } : null;
}

function exitCodeHypothesis(ctx: Ctx): H {
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

function crashloop(ctx: Ctx): H[] {
  return [exitCodeHypothesis(ctx), siblingsHypothesis(ctx)];
}

/** One bad pod vs. all pods of the workload is the first fork in a crash investigation. */
function siblingsHypothesis(ctx: Ctx): H {
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

function oomKilled(ctx: Ctx): H[] {
  const out: H[] = [];
  const pod = crashContainer(ctx);
  const oomFromPod = pod?.c.lastTermination?.reason === 'OOMKilled' ? pod.fact.item : null;
  const oomFromProm = activeLabel(ctx.evidence, EV.lastTerminated, 'reason');
  const oomItem = oomFromPod ?? (oomFromProm?.value.includes('OOMKilled') ? oomFromProm.item : null);
  const mem = memoryUsage(ctx.evidence);
  const limit = instantValue(ctx.evidence, EV.memoryLimit);
  const restarts = restartsInWindow(ctx.evidence);
  const limitItem = view.instant(ctx.evidence, EV.memoryLimit)?.item ?? null;
  const limitAnswered = ctx.evidence.find(
    (e) => e.id === EV.memoryLimit && (e.status === 'ok' || e.status === 'empty'),
  );

  if (oomItem && mem && limit) {
    const ratio = mem.value.peak / limit.value;
    out.push(
      hypothesis(
        ctx,
        'oom.limit',
        `Container exceeds its memory limit: peak working set ${bytes(mem.value.peak)} of ${bytes(limit.value)} (${pct(ratio)})`,
        ratio >= 0.9 ? 90 : ratio >= 0.75 ? 78 : 65,
        `The kernel killed the container for exceeding its cgroup limit (last termination OOMKilled). ${ratio >= 0.9 ? 'Memory ran right up to the limit' : 'Sampled memory stayed below the limit, so a short allocation spike between scrapes crossed it'}; either the limit is too low for the workload or memory use grew (leak, bigger input, cache).`,
        [oomItem, mem.item, limit.item, restarts?.item],
      ),
    );
  } else if (oomItem && limitAnswered && !limit) {
    out.push(
      hypothesis(
        ctx,
        'oom.no_limit',
        'Container OOM-killed without a memory limit: the node ran out of memory',
        70,
        'No memory limit series exists for the container, so the kill came from node-level memory pressure; other pods on the node are likely affected too.',
        [oomItem, limitAnswered, mem?.item],
      ),
    );
  } else if (oomItem) {
    out.push(
      hypothesis(
        ctx,
        'oom.limit',
        'Container was OOM-killed (memory usage versus limit unknown)',
        70,
        'The last termination reason is OOMKilled; memory usage or the limit could not be read, so how close it ran is unknown.',
        [oomItem, restarts?.item, limitItem],
      ),
    );
  }
  out.push(leakHypothesis(ctx));
  return out;
}

function leakHypothesis(ctx: Ctx): H {
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

function cpuThrottling(ctx: Ctx): H[] {
  const thr = rangeStats(ctx.evidence, EV.throttling);
  if (!thr) return [];
  const usage = rangeStats(ctx.evidence, EV.cpuUsage);
  const limit = instantValue(ctx.evidence, EV.cpuLimit);
  const t = `${pct(thr.value.latest)} of CFS periods throttled now (peak ${pct(thr.value.peak)})`;
  if (usage && limit && limit.value > 0) {
    const ratio = usage.value.peak / limit.value;
    if (ratio >= 0.8) {
      return [
        hypothesis(
          ctx,
          'cpu.limit_too_low',
          `CPU limit too low for demand: usage peaks at ${usage.value.peak.toFixed(2)} of ${limit.value} cores`,
          80,
          `${t}. Usage runs at ${pct(ratio)} of the limit, so the workload needs more CPU than it may use; expect added latency. Raise the limit (or remove it and rely on requests), or reduce work per pod.`,
          [thr.item, usage.item, limit.item],
        ),
      ];
    }
    return [
      hypothesis(
        ctx,
        'cpu.bursty',
        `Bursty CPU hits the quota: average ${usage.value.latest.toFixed(2)} cores is well below the ${limit.value}-core limit yet periods are throttled`,
        70,
        `${t}. Short bursts (many threads, GC, startup) exhaust the per-100ms quota even though average use is ${pct(ratio)} of the limit. Raising or removing the CPU limit helps; requests keep scheduling fair.`,
        [thr.item, usage.item, limit.item],
      ),
    ];
  }
  return [
    hypothesis(
      ctx,
      'cpu.throttled',
      `Container throttled: ${t}`,
      50,
      'Usage versus limit could not be read, so whether the limit is too low or the load bursty is unknown.',
      [thr.item],
    ),
  ];
}

function http5xx(ctx: Ctx): H[] {
  const out: H[] = [];
  const ratio = rangeStats(ctx.evidence, EV.errorRatio);
  const codes = errorsByCode(ctx.evidence);
  const ratioText = ratio ? `5xx ratio ${pct(ratio.value.latest)} now, peak ${pct(ratio.value.peak)}` : '';
  const top = codes?.value[0];
  if (codes && top) {
    const gateway = ['502', '503', '504'].includes(top.code);
    out.push(
      hypothesis(
        ctx,
        gateway ? 'http.upstream' : 'http.app_errors',
        gateway
          ? `Gateway/availability errors dominate (${top.code}): backends unavailable, overloaded or timing out`
          : `Application errors dominate (${top.code}): a code path or dependency call is failing`,
        gateway ? 60 : 55,
        `${ratioText ? `${ratioText}; ` : ''}by code: ${codes.value
          .slice(0, 4)
          .map((c) => `${c.code} ${c.rate.toPrecision(3)}/s`)
          .join(', ')}.`,
        [codes.item, ratio?.item],
      ),
    );
  }
  out.push(...capacityHypotheses(ctx, 'Backend'));
  return out;
}

/** Pods restarting or replicas missing behind a service. */
function capacityHypotheses(ctx: Ctx, who: string): H[] {
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

function podNotHealthy(ctx: Ctx): H[] {
  const out: H[] = [];
  const fact = containersOf(ctx.evidence, ctx.target.container);
  const pod = view.pod(ctx.evidence, EV.pod);
  const waitingProm = activeLabel(ctx.evidence, EV.waiting, 'reason');
  const events = view.events(ctx.evidence);
  const eventItems = events.map((e) => e.item);
  const eventMsg = (re: RegExp) =>
    events.flatMap((e) => e.data.events).find((e) => re.test(e.reason) || re.test(e.message))?.message;

  const waiting = fact?.value.find((c) => c.state === 'waiting');
  const reason = waiting?.reason ?? waitingProm?.value[0];
  if (reason && /ImagePull|ErrImage|InvalidImageName/.test(reason)) {
    const image = waiting?.image ?? fact?.value[0]?.image;
    const msg = waiting?.message ?? eventMsg(/Failed|pull/i);
    out.push(
      hypothesis(
        ctx,
        'sig.image_pull',
        `Image cannot be pulled${image ? `: ${image}` : ''} (${reason})`,
        90,
        `The container is waiting with ${reason}${msg ? `: "${cap(msg, 200)}"` : ''}. The tag may not exist, the registry may need imagePullSecrets, or the registry is unreachable.`,
        [fact?.item, waitingProm?.item, ...eventItems],
      ),
    );
  } else if (reason && /CreateContainer|RunContainerError/.test(reason)) {
    const msg = waiting?.message ?? eventMsg(/Failed|not found/i);
    out.push(
      hypothesis(
        ctx,
        'sig.missing_config',
        `Container cannot be created (${reason})${msg ? `: ${msg}` : ''}`,
        90,
        `The kubelet cannot build the container from its spec — usually a missing ConfigMap/Secret or key${msg ? `: "${cap(msg, 200)}"` : ''}.`,
        [fact?.item, waitingProm?.item, ...eventItems],
      ),
    );
  }
  const sched = pod?.data.conditions.find((c) => c.type === 'PodScheduled' && c.status === 'False');
  if (pod && sched) {
    out.push(
      hypothesis(
        ctx,
        'sig.scheduling',
        `Pod cannot be scheduled${sched.message ? `: ${sched.message}` : ''}`,
        85,
        `PodScheduled=False (${sched.reason ?? 'no reason'}). No node satisfies its requests or constraints.`,
        [pod.item, ...eventItems],
      ),
    );
  }
  const running = fact?.value.filter((c) => c.state === 'running' && !c.ready) ?? [];
  if (fact && running.length && !reason) {
    const ready = view.range(ctx.evidence, EV.podReady);
    out.push(
      hypothesis(
        ctx,
        'pod.not_ready',
        `Container running but not ready: ${running.map((c) => c.name).join(', ')}`,
        60,
        'The process runs but its readiness probe fails, so the pod receives no traffic; probe events and application logs say why.',
        [fact.item, ready?.item, ...eventItems],
      ),
    );
  }
  if (pod && pod.data.phase === 'Pending' && !sched && !reason) {
    out.push(
      hypothesis(
        ctx,
        'pod.pending',
        'Pod stuck in Pending',
        40,
        'The pod is Pending without a scheduling failure or waiting reason; volumes or init containers may block it.',
        [pod.item, ...eventItems],
      ),
    );
  }
  return out;
}

function memoryPressure(ctx: Ctx): H[] {
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
}

function targetDown(ctx: Ctx): H[] {
  const out: H[] = [];
  const up = upTargets(ctx.evidence);
  if (up && up.value.down > 0) {
    const all = up.value.down === up.value.total;
    out.push(
      hypothesis(
        ctx,
        all ? 'target.all_down' : 'target.some_down',
        all
          ? `All ${up.value.total} scrape targets are down: the service is down or unreachable from Prometheus`
          : `${up.value.down} of ${up.value.total} scrape targets down: ${up.value.downNames.slice(0, 3).join(', ')}`,
        all ? 70 : 60,
        all
          ? 'Every target fails its scrape: the pods are gone or not listening, the metrics port/path changed, or a NetworkPolicy blocks Prometheus.'
          : 'Some targets fail their scrape while others succeed: look at what the failing ones have in common (node, version, restarts).',
        [up.item],
      ),
    );
  }
  out.push(...capacityHypotheses(ctx, 'Target'));
  return out;
}

function jobFailed(ctx: Ctx): H[] {
  const out: H[] = [];
  const w = workload(ctx.evidence);
  const counts = jobCounts(ctx.evidence);
  const failedCond = w?.value.conditions.find((c) => c.type === 'Failed' && c.status === 'True');
  const failed = w?.value.failed ?? counts?.value.failed ?? null;
  if (failedCond) {
    const deadline = failedCond.reason === 'DeadlineExceeded';
    out.push(
      hypothesis(
        ctx,
        deadline ? 'job.deadline' : 'job.backoff',
        deadline
          ? 'Job exceeded activeDeadlineSeconds and was stopped'
          : `Job gave up after ${failed ?? 'several'} failed pods (${failedCond.reason ?? 'Failed'})`,
        deadline ? 75 : 70,
        `${failedCond.message ? `"${cap(failedCond.message, 200)}". ` : ''}${deadline ? 'The work took longer than allowed: slow dependency, more data, or a hang.' : 'Each pod failed; the pod logs say why (see log findings).'}`,
        [w?.item, counts?.item],
      ),
    );
  } else if (counts && (counts.value.failed ?? 0) > 0) {
    out.push(
      hypothesis(
        ctx,
        'job.backoff',
        `Job has ${plural(counts.value.failed ?? 0, 'failed pod')}`,
        60,
        'Pods of the Job exited with errors; the pod logs say why.',
        [counts.item],
      ),
    );
  }
  if (ctx.family.subReason === 'not_completed' && counts && (counts.value.active ?? 0) > 0) {
    out.push(
      hypothesis(
        ctx,
        'job.running_long',
        `Job still running with ${counts.value.active} active pods`,
        55,
        'The Job has not finished in its expected time: it may be stuck on a lock or dependency, or the data volume grew.',
        [counts.item],
      ),
    );
  }
  return out;
}

function rolloutMismatch(ctx: Ctx): H[] {
  const out: H[] = [];
  const w = workload(ctx.evidence);
  const stuck = w?.value.conditions.find((c) => c.type === 'Progressing' && c.status === 'False');
  if (w && stuck) {
    out.push(
      hypothesis(
        ctx,
        'rollout.stuck',
        `Rollout not progressing (${stuck.reason ?? 'Progressing=False'})`,
        70,
        `${stuck.message ? `"${cap(stuck.message, 200)}". ` : ''}New pods never became available within the progress deadline; their state shows why.`,
        [w.item, EV.rolloutCondition],
      ),
    );
  }
  const waiting = activeLabel(ctx.evidence, EV.workloadWaiting, 'reason');
  for (const reason of waiting?.value ?? []) {
    if (/ImagePull|ErrImage/.test(reason))
      out.push(
        hypothesis(
          ctx,
          'sig.image_pull',
          `New pods cannot pull their image (${reason})`,
          88,
          'Pods of the workload wait on the image; the new tag may not exist or credentials are missing.',
          [waiting!.item, w?.item],
        ),
      );
    else if (reason === 'CrashLoopBackOff')
      out.push(
        hypothesis(
          ctx,
          'rollout.crashing',
          'Pods of the workload crash-loop',
          85,
          'New pods start and crash, so they never become available; the previous container logs say why.',
          [waiting!.item, w?.item, EV.workloadRestarts],
        ),
      );
    else if (/CreateContainer/.test(reason))
      out.push(
        hypothesis(
          ctx,
          'sig.missing_config',
          `Pods cannot be created (${reason})`,
          85,
          'A ConfigMap, Secret or key referenced by the new spec is missing.',
          [waiting!.item, w?.item],
        ),
      );
  }
  const events = view.events(ctx.evidence);
  const quota = events
    .flatMap((e) => e.data.events.map((x) => ({ x, item: e.item })))
    .find(({ x }) => x.reason === 'FailedCreate');
  if (quota) {
    out.push(
      hypothesis(
        ctx,
        'rollout.failed_create',
        `Pods cannot be created: ${oneLine(quota.x.message, 150)}`,
        /quota/i.test(quota.x.message) ? 85 : 75,
        'The controller tries to create pods and the API refuses (quota, admission webhook, PodSecurity).',
        [quota.item],
      ),
    );
  }
  if (w && w.value.desiredReplicas != null && !out.length) {
    const a = w.value.availableReplicas ?? 0;
    if (a < w.value.desiredReplicas) {
      out.push(
        hypothesis(
          ctx,
          'capacity.replicas',
          `${a} of ${w.value.desiredReplicas} replicas available; the missing pods' state was not captured`,
          45,
          'Replicas are missing but no waiting reason, stuck condition or failed-create event explains it yet.',
          [w.item, EV.replicas],
        ),
      );
    }
  }
  return out;
}

function nodeConditionHypotheses(ctx: Ctx): H[] {
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

function nodeProblem(ctx: Ctx): H[] {
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

function meta(ctx: Ctx): H[] {
  return [
    hypothesis(
      ctx,
      'meta.by_design',
      ctx.family.subReason === 'inhibitor'
        ? 'InfoInhibitor fires by design to suppress info-level alerts'
        : 'Heartbeat alert firing by design: it proves the alerting pipeline works',
      95,
      'This alert is meant to be always on; it needs attention only if it stops arriving (dead man’s switch) or is routed to a human receiver.',
      [EV.alertExpr, EV.amAlerts],
    ),
  ];
}

function generic(ctx: Ctx): H[] {
  const act = alertActivity(ctx.evidence, ctx.window);
  const expr = view.range(ctx.evidence, EV.alertExpr);
  const out: H[] = [exitCodeHypothesis(ctx)];
  if (act && expr) {
    const latest = expr.data.series.flatMap((s) => s.points.slice(-1).map(([, v]) => v));
    out.push(
      hypothesis(
        ctx,
        'generic.condition',
        `The alert condition held for ${Math.round(act.value.firingMinutes)} min in the window${latest.length ? ` (latest value ${latest[0]!.toPrecision(3)})` : ''}`,
        30,
        'No family-specific checks apply to this alert; the rule expression confirms the condition but not its cause.',
        [expr.item],
      ),
    );
  }
  return out;
}

const RULES: Record<Ctx['family']['family'], (ctx: Ctx) => H[]> = {
  crashloop,
  oom_killed: oomKilled,
  cpu_throttling: cpuThrottling,
  http_5xx: http5xx,
  pod_not_healthy: podNotHealthy,
  memory_pressure: memoryPressure,
  target_down: targetDown,
  job_failed: jobFailed,
  rollout_mismatch: rolloutMismatch,
  node_problem: nodeProblem,
  meta,
  generic,
};

export function familyHypotheses(ctx: Ctx): H[] {
  return RULES[ctx.family.family](ctx);
}
