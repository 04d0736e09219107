// A pod that does not run or serve: image pulls, config errors, scheduling, readiness; and, as
// node_* sub-kinds, a node that stops being Ready and takes its pods with it.

import { activeLabel, containersOf, rangeStats } from '../facts.js';
import { hypothesis } from '../claim.js';
import { EV } from '../ids.js';
import { q } from '../queries.js';
import { cap } from '../text.js';
import { view } from '../view.js';
import { isNodeSub, nodeHypotheses, nodeSteps, planContainerState, planNode, podSteps } from './shared.js';
import type { FamilyModule, H } from './types.js';

// Container state reasons as kube-state-metrics and the kubelet report them.
export const IMAGE_PULL = new Set([
  'ImagePullBackOff',
  'ErrImagePull',
  'InvalidImageName',
  'ErrImageNeverPull',
]);
export const CONFIG_ERROR = new Set([
  'CreateContainerConfigError',
  'CreateContainerError',
  'RunContainerError',
]);

export const podNotHealthy: FamilyModule = {
  family: 'pod_not_healthy',
  label: 'Unhealthy pod',
  impact: [10, 'a pod cannot serve'],
  alertNames: {
    KubePodNotReady: 'not_ready',
    KubeContainerWaiting: 'waiting',
    KubeNodeNotReady: 'node_not_ready',
    KubeNodeUnreachable: 'node_unreachable',
    KubeNodeReadinessFlapping: 'node_readiness_flapping',
  },
  reasons: (r) =>
    IMAGE_PULL.has(r)
      ? 'image_pull'
      : CONFIG_ERROR.has(r)
        ? 'config_error'
        : r === 'ContainerCreating' || r === 'PodInitializing'
          ? 'waiting'
          : undefined,
  namePatterns: [
    { re: /image.?pull|pod.*(not.?ready|pending|unhealthy)|container.*waiting/i, sub: null, order: 80 },
    { re: /node.*(not.?ready|unreachable|down)/i, sub: 'node_not_ready', order: 75 },
  ],
  exprPatterns: [
    {
      re: /kube_pod_container_status_waiting_reason|kube_pod_status_phase|kube_pod_status_ready/,
      sub: null,
      order: 60,
    },
    { re: /kube_node_status_condition[^}]*condition="Ready"/, sub: 'node_not_ready', order: 85 },
  ],
  refine: [
    {
      order: 10,
      claim: (f, prelim) => {
        if (prelim !== 'crashloop') {
          const pull = f.waiting.find((w) => IMAGE_PULL.has(w.reason));
          if (pull) return { sub: 'image_pull', why: `waiting reason ${pull.reason} in ${pull.src}` };
          const config = f.waiting.find((w) => CONFIG_ERROR.has(w.reason));
          if (config) return { sub: 'config_error', why: `waiting reason ${config.reason} in ${config.src}` };
        }
        return null;
      },
    },
    {
      // After an OOM kill (order 20), before a crash loop (order 40).
      order: 30,
      claim: (f) => {
        const c = f.pod?.conditions.find(
          (x) => x.type === 'PodScheduled' && x.status === 'False' && x.reason === 'Unschedulable',
        );
        return c
          ? { sub: 'unschedulable', why: `pod condition PodScheduled=False (Unschedulable) in ${f.podId}` }
          : null;
      },
    },
  ],
  podLevel: true,
  podSubject: true,
  workloadObject: true,
  previousLogs: true,
  podState: true,
  previousLogsStep: true,
  nodeObject: isNodeSub,
  noAppLogs: isNodeSub,
  nodeSubject: isNodeSub,
  plan: (p) => {
    planContainerState(p);
    const { c, labels, lb } = p;
    if (c) {
      const ns = c.namespace;
      const pod = labels.pod!;
      p.instant(EV.podPhase, `Phase of pod ${ns}/${pod}`, q.podPhase(ns, pod, lb));
      p.range(EV.podReady, `Readiness of pod ${ns}/${pod}`, q.podReady(ns, pod));
    }
    if (isNodeSub(p.sub)) planNode(p);
  },
  primary: { series: EV.podPhase, object: EV.pod },
  symptoms: [EV.podReady, EV.waiting],
  hypotheses: (ctx) => {
    if (isNodeSub(ctx.family.subReason)) return nodeHypotheses(ctx);
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
    // Without the pod object, kube-state-metrics still tells Running-but-not-Ready; the claim
    // stays at that, since why is unknown without pod state, events or logs.
    const readyNow = rangeStats(ctx.evidence, EV.podReady);
    const phase = activeLabel(ctx.evidence, EV.podPhase, 'phase');
    if (!fact && !reason && readyNow && readyNow.value.latest === 0 && phase?.value.includes('Running')) {
      out.push(
        hypothesis(
          ctx,
          'pod.not_ready',
          'Pod Running but not Ready (from kube-state-metrics): its readiness probe fails',
          50,
          'The pod runs but reports not ready, so it receives no traffic. Its container states, probe events and logs could not be read, so why it fails readiness is unknown; see unknowns for the access needed.',
          [readyNow.item, phase.item],
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
  },
  promqlSteps: (s) => {
    if (isNodeSub(s.ctx.family.subReason)) return nodeSteps(s);
    return podSteps(
      s,
      s.c
        ? [
            s.step(
              'promql',
              'Waiting reason',
              q.waitingReason(s.c, s.r),
              'ImagePullBackOff, CreateContainerConfigError… name the blocker.',
            ),
          ]
        : [],
    );
  },
};
