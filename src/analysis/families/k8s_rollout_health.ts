// A Deployment, StatefulSet or DaemonSet that does not reach its desired, updated, available
// replicas: a stuck rollout, pods that cannot start, or a controller that cannot create pods.

import { activeLabel, workload } from '../facts.js';
import { hypothesis } from '../claim.js';
import { EV } from '../ids.js';
import { q } from '../queries.js';
import { cap, oneLine } from '../text.js';
import { workloadPodEvents } from './shared.js';
import type { FamilyModule, H } from './types.js';

export const k8sRolloutHealth: FamilyModule = {
  family: 'k8s_rollout_health',
  label: 'Rollout health',
  impact: [10, 'the workload runs below its desired replicas'],
  alertNames: {
    KubeDeploymentReplicasMismatch: 'replicas_mismatch',
    KubeDeploymentRolloutStuck: 'rollout_stuck',
    KubeDeploymentGenerationMismatch: 'generation_mismatch',
    KubeStatefulSetReplicasMismatch: 'replicas_mismatch',
    KubeStatefulSetGenerationMismatch: 'generation_mismatch',
    KubeStatefulSetUpdateNotRolledOut: 'rollout_stuck',
    KubeDaemonSetRolloutStuck: 'rollout_stuck',
    KubeDaemonSetNotScheduled: 'not_scheduled',
    KubeDaemonSetMisScheduled: 'misscheduled',
    KubeHpaReplicasMismatch: 'hpa_mismatch',
    KubeHpaMaxedOut: 'hpa_maxed_out',
  },
  namePatterns: [{ re: /replica|rollout|unavailable/i, sub: null, order: 100 }],
  exprPatterns: [
    {
      re: /kube_(deployment|statefulset|daemonset)_(status|spec)_|kube_deployment_status_condition/,
      sub: null,
      order: 90,
    },
  ],
  workloadObject: true,
  workloadEvents: true,
  podEventsOfWorkload: true,
  plan: (p) => {
    const ns = p.labels.namespace;
    const w = p.workload;
    if (!ns || !w) return;
    p.range(EV.replicas, `Desired/available/updated replicas of ${p.wName}`, q.replicas(ns, w.kind, w.name));
    if (w.kind === 'Deployment')
      p.instant(
        EV.rolloutCondition,
        `Progressing condition of ${p.wName}`,
        q.rolloutCondition(ns, w.name, p.lb),
      );
    p.instant(
      EV.workloadWaiting,
      `Waiting reasons of pods of ${p.wName}`,
      q.workloadWaiting(ns, w.name, p.lb),
    );
    p.range(EV.workloadRestarts, `Restarts across pods of ${p.wName}`, q.workloadRestarts(ns, w.name));
  },
  primary: { series: EV.replicas, object: EV.workload },
  symptoms: [EV.replicas],
  hypotheses: (ctx) => {
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
    // FailedCreate is recorded on the ReplicaSet (or the StatefulSet/DaemonSet) of this workload.
    const created = workloadPodEvents(ctx).cited.find((c) => c.event.reason === 'FailedCreate');
    const quota = created ? { x: created.event, item: created.item } : null;
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
  },
  promqlSteps: ({ ctx, labels, r, step }) => {
    const ns = labels.namespace;
    const w = ctx.target.workload;
    if (!ns || !w) return [];
    const out = [];
    const rq = q.replicas(ns, w.kind, w.name);
    if (rq)
      out.push(step('promql', 'Desired / available / updated replicas', rq, 'Which of the three is stuck.'));
    out.push(
      step(
        'promql',
        'Waiting reasons of the workload’s pods',
        q.workloadWaiting(ns, w.name, r),
        'Why new pods do not become ready.',
      ),
    );
    return out;
  },
};
