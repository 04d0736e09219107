// Alert family: what kind of failure this is. A preliminary answer comes from the alert alone
// (name, labels, rule expression) and decides what to collect; the final answer also weighs the
// evidence (a "crash loop" whose container was OOM-killed is an OOM problem).

import type { ContainerState, EvidenceItem, PodData } from '../collectors/evidence.js';
import { alertExpression, alertName, type AlertInput } from './alert.js';
import { EV } from './ids.js';
import { subjectLabels } from './target.js';
import { answered, byId, view } from './view.js';

import type { Family } from '../contract/taxonomy.js';

export { FAMILIES, type Family } from '../contract/taxonomy.js';

export interface FamilyDecision {
  family: Family;
  /** Finer cause inside the family, e.g. `image_pull` for pod_not_healthy. */
  subReason: string | null;
  /** Which label, name, expression or evidence decided it, in order of application. */
  reasons: string[];
}

export interface FinalFamily extends FamilyDecision {
  preliminary: Family;
}

type Rule = [Family, string | null];

// kube-prometheus / kubernetes-mixin / node-mixin alert names.
const BY_NAME: Record<string, Rule> = {
  KubePodCrashLooping: ['crashloop', null],
  KubePodNotReady: ['pod_not_healthy', 'not_ready'],
  KubeContainerWaiting: ['pod_not_healthy', 'waiting'],
  KubeDeploymentReplicasMismatch: ['rollout_mismatch', 'replicas_mismatch'],
  KubeDeploymentRolloutStuck: ['rollout_mismatch', 'rollout_stuck'],
  KubeDeploymentGenerationMismatch: ['rollout_mismatch', 'generation_mismatch'],
  KubeStatefulSetReplicasMismatch: ['rollout_mismatch', 'replicas_mismatch'],
  KubeStatefulSetGenerationMismatch: ['rollout_mismatch', 'generation_mismatch'],
  KubeStatefulSetUpdateNotRolledOut: ['rollout_mismatch', 'rollout_stuck'],
  KubeDaemonSetRolloutStuck: ['rollout_mismatch', 'rollout_stuck'],
  KubeDaemonSetNotScheduled: ['rollout_mismatch', 'not_scheduled'],
  KubeDaemonSetMisScheduled: ['rollout_mismatch', 'misscheduled'],
  KubeHpaReplicasMismatch: ['rollout_mismatch', 'hpa_mismatch'],
  KubeJobFailed: ['job_failed', 'failed'],
  KubeJobNotCompleted: ['job_failed', 'not_completed'],
  KubeJobCompletion: ['job_failed', 'not_completed'],
  CPUThrottlingHigh: ['cpu_throttling', null],
  KubeMemoryOvercommit: ['memory_pressure', 'cluster_overcommit'],
  KubeMemoryQuotaOvercommit: ['memory_pressure', 'quota_overcommit'],
  NodeMemoryHighUtilization: ['memory_pressure', 'node_memory'],
  NodeMemoryMajorPagesFaults: ['memory_pressure', 'node_memory'],
  KubeNodeNotReady: ['node_problem', 'NotReady'],
  KubeNodeUnreachable: ['node_problem', 'Unreachable'],
  KubeNodeReadinessFlapping: ['node_problem', 'ReadinessFlapping'],
  KubeNodePressure: ['node_problem', 'Pressure'],
  KubeletDown: ['target_down', 'kubelet'],
  NodeFilesystemSpaceFillingUp: ['node_problem', 'filesystem'],
  NodeFilesystemAlmostOutOfSpace: ['node_problem', 'filesystem'],
  NodeFilesystemFilesFillingUp: ['node_problem', 'filesystem_inodes'],
  NodeFilesystemAlmostOutOfFiles: ['node_problem', 'filesystem_inodes'],
  NodeFileDescriptorLimit: ['node_problem', 'file_descriptors'],
  NodeClockNotSynchronising: ['node_problem', 'clock'],
  NodeClockSkewDetected: ['node_problem', 'clock'],
  TargetDown: ['target_down', null],
  Watchdog: ['meta', 'heartbeat'],
  DeadMansSwitch: ['meta', 'heartbeat'],
  DeadMansSnitch: ['meta', 'heartbeat'],
  InfoInhibitor: ['meta', 'inhibitor'],
};

// Container state reasons as kube-state-metrics and the kubelet report them.
const IMAGE_PULL = new Set(['ImagePullBackOff', 'ErrImagePull', 'InvalidImageName', 'ErrImageNeverPull']);
const CONFIG_ERROR = new Set(['CreateContainerConfigError', 'CreateContainerError', 'RunContainerError']);

function fromReason(reason: string): Rule | null {
  if (reason === 'OOMKilled') return ['oom_killed', null];
  if (reason === 'CrashLoopBackOff') return ['crashloop', null];
  if (IMAGE_PULL.has(reason)) return ['pod_not_healthy', 'image_pull'];
  if (CONFIG_ERROR.has(reason)) return ['pod_not_healthy', 'config_error'];
  if (reason === 'ContainerCreating' || reason === 'PodInitializing') return ['pod_not_healthy', 'waiting'];
  return null;
}

// For custom alert names, ordered: the first match wins.
const NAME_PATTERNS: [RegExp, Family, string | null][] = [
  [/watchdog|heartbeat|dead.?man/i, 'meta', 'heartbeat'],
  [/oom|out.?of.?memory/i, 'oom_killed', null],
  [/crash.?loop|restart/i, 'crashloop', null],
  [/latency|slow|duration|p9[059]\b/i, 'http_5xx', 'latency'],
  [/5xx|error.?(rate|ratio|budget)|http.*err|errors?high|burn.?rate|availability/i, 'http_5xx', null],
  [/throttl/i, 'cpu_throttling', null],
  [/mem(ory)?/i, 'memory_pressure', null],
  [/image.?pull|pod.*(not.?ready|pending|unhealthy)|container.*waiting/i, 'pod_not_healthy', null],
  [/(cron)?job.*(fail|error|not.?complet)/i, 'job_failed', null],
  [/replica|rollout|unavailable/i, 'rollout_mismatch', null],
  [/node|disk|filesystem|kubelet|inode/i, 'node_problem', null],
  [/(target|instance|endpoint|service|scrape).?(down|missing|absent)|absent/i, 'target_down', null],
];

// Metric names in the rule expression, for alerts whose names say nothing.
const EXPR_PATTERNS: [RegExp, Family, string | null][] = [
  [/\bvector\(1\)\s*$/, 'meta', 'heartbeat'],
  [/last_terminated_reason[^}]*OOMKilled|container_oom_events_total/, 'oom_killed', null],
  [/waiting_reason[^}]*CrashLoopBackOff|kube_pod_container_status_restarts_total/, 'crashloop', null],
  [/container_cpu_cfs_throttled/, 'cpu_throttling', null],
  [/code=~?"5|status=~?"5|_5xx|http_server_errors/, 'http_5xx', null],
  [
    /kube_pod_container_status_waiting_reason|kube_pod_status_phase|kube_pod_status_ready/,
    'pod_not_healthy',
    null,
  ],
  [
    /container_memory_working_set_bytes|node_memory_|kube_node_status_allocatable\{[^}]*memory/,
    'memory_pressure',
    null,
  ],
  [/kube_job_(status_)?failed|kube_job_status_active|kube_job_spec_completions/, 'job_failed', null],
  [
    /kube_(deployment|statefulset|daemonset)_(status|spec)_|kube_deployment_status_condition/,
    'rollout_mismatch',
    null,
  ],
  [/kube_node_status_condition|kube_node_spec_taint|node_filesystem_/, 'node_problem', null],
  [/\bup\b\s*(\{[^}]*\})?\s*==\s*0|absent\(\s*up\b/, 'target_down', null],
];

/** Family from the alert alone: name, `reason` label, then the rule's expression. */
export function preliminaryFamily(alert: AlertInput): FamilyDecision {
  const name = alertName(alert);
  const labels = subjectLabels(alert.labels);
  const reason = labels.reason;
  const byReason = reason ? fromReason(reason) : null;
  if (byReason && BY_NAME[name]?.[0] !== 'meta') {
    return decision(byReason, `label reason="${reason}"`);
  }
  const known = BY_NAME[name];
  if (known) {
    const sub = name === 'KubeNodePressure' && labels.condition ? labels.condition : known[1];
    return decision([known[0], sub], `alertname ${name} (kube-prometheus rule)`);
  }
  for (const [re, family, sub] of NAME_PATTERNS) {
    if (re.test(name)) return decision([family, sub], `alertname ${name} matches /${re.source}/`);
  }
  const expr = alertExpression(alert.generatorURL);
  if (expr) {
    for (const [re, family, sub] of EXPR_PATTERNS) {
      if (re.test(expr)) return decision([family, sub], `rule expression matches /${re.source}/`);
    }
  }
  return {
    family: 'generic',
    subReason: null,
    reasons: [`alertname ${name}: no known name, reason label or expression pattern`],
  };
}

function decision([family, subReason]: Rule, why: string): FamilyDecision {
  return { family, subReason, reasons: [why] };
}

/** Container states that matter: the alert's container, or all when the alert names none. */
function relevantContainers(pod: PodData, container: string | undefined): ContainerState[] {
  const match = container ? pod.containers.filter((c) => c.name === container) : [];
  return match.length ? match : pod.containers;
}

/** `reason` labels of series that are currently set (value > 0). */
function seriesReasons(evidence: readonly EvidenceItem[], id: string): string[] {
  const series = view.instant(evidence, id)?.data.series ?? [];
  return series.filter((s) => s.value > 0).flatMap((s) => (s.labels.reason ? [s.labels.reason] : []));
}

// Families whose subject is a single pod, where container state can overrule the alert's name.
const POD_LEVEL: readonly Family[] = [
  'crashloop',
  'pod_not_healthy',
  'memory_pressure',
  'generic',
  'oom_killed',
];

/**
 * Final family: the preliminary one, corrected by what the pod actually shows. When the deciding
 * evidence is unavailable the preliminary family stands and the reasons say it is unconfirmed.
 */
export function refineFamily(
  alert: AlertInput,
  prelim: FamilyDecision,
  evidence: readonly EvidenceItem[],
): FinalFamily {
  const out: FinalFamily = { ...prelim, reasons: [...prelim.reasons], preliminary: prelim.family };
  if (!POD_LEVEL.includes(prelim.family)) return out;

  const labels = subjectLabels(alert.labels);
  const podFound = view.pod(evidence, EV.pod);
  const containers = podFound ? relevantContainers(podFound.data, labels.container) : [];
  const lastReasons = [
    ...containers.flatMap((c) =>
      c.lastTermination?.reason ? [{ reason: c.lastTermination.reason, src: `${EV.pod} (${c.name})` }] : [],
    ),
    ...seriesReasons(evidence, EV.lastTerminated).map((reason) => ({ reason, src: EV.lastTerminated })),
  ];
  const waiting = [
    ...containers.flatMap((c) =>
      c.state === 'waiting' && c.reason ? [{ reason: c.reason, src: `${EV.pod} (${c.name})` }] : [],
    ),
    ...seriesReasons(evidence, EV.waiting).map((reason) => ({ reason, src: EV.waiting })),
  ];

  const oom = lastReasons.find((r) => r.reason === 'OOMKilled');
  const pull = waiting.find((w) => IMAGE_PULL.has(w.reason));
  const config = waiting.find((w) => CONFIG_ERROR.has(w.reason));
  const backoff = waiting.find((w) => w.reason === 'CrashLoopBackOff');
  const unschedulable = podFound?.data.conditions.find(
    (c) => c.type === 'PodScheduled' && c.status === 'False' && c.reason === 'Unschedulable',
  );

  const set = (family: Family, sub: string | null, why: string) => {
    if (family !== out.family || sub !== out.subReason) {
      out.reasons.push(`${why} → ${family}${sub ? ` (${sub})` : ''}`);
    } else {
      out.reasons.push(`confirmed: ${why}`);
    }
    out.family = family;
    out.subReason = sub;
  };

  if (pull && prelim.family !== 'crashloop')
    set('pod_not_healthy', 'image_pull', `waiting reason ${pull.reason} in ${pull.src}`);
  else if (config && prelim.family !== 'crashloop')
    set('pod_not_healthy', 'config_error', `waiting reason ${config.reason} in ${config.src}`);
  else if (oom) set('oom_killed', null, `last termination reason OOMKilled in ${oom.src}`);
  else if (unschedulable)
    set(
      'pod_not_healthy',
      'unschedulable',
      `pod condition PodScheduled=False (Unschedulable) in ${podFound!.item.id}`,
    );
  else if (backoff && prelim.family !== 'memory_pressure')
    set('crashloop', null, `waiting reason CrashLoopBackOff in ${backoff.src}`);

  const checked =
    answered(podFound?.item ?? byId(evidence, EV.pod)) || answered(byId(evidence, EV.lastTerminated));
  if (!checked && (labels.pod || labels.container)) {
    out.reasons.push(
      'not confirmed by evidence: neither pod state nor container termination metrics were available',
    );
  }
  return out;
}
