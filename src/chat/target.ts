import type { CaseFacts } from './case-facts.js';
import type { WorkloadKind } from '../collectors/evidence.js';

/** Where a case points in Kubernetes: from its report's target, else from the alert's labels. */
export interface KubeTarget {
  cluster: string | null;
  namespace: string | null;
  pod: string | null;
  container: string | null;
  workload: { kind: WorkloadKind; name: string } | null;
}

const WORKLOAD_LABELS: [string, WorkloadKind][] = [
  ['deployment', 'Deployment'],
  ['statefulset', 'StatefulSet'],
  ['daemonset', 'DaemonSet'],
  ['job_name', 'Job'],
  ['cronjob', 'CronJob'],
];

export function kubeTarget(f: CaseFacts): KubeTarget {
  const t = f.report?.target;
  const l = f.labels;
  const fromLabels = WORKLOAD_LABELS.find(([label]) => l[label]);
  const kinds = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'Job', 'CronJob', 'ReplicaSet']);
  const workload =
    t?.workload && t.workload.name && kinds.has(t.workload.kind ?? '')
      ? { kind: t.workload.kind as WorkloadKind, name: t.workload.name }
      : fromLabels
        ? { kind: fromLabels[1], name: l[fromLabels[0]]! }
        : null;
  return {
    cluster: t?.cluster ?? l.cluster ?? null,
    namespace: t?.namespace ?? l.namespace ?? null,
    pod: t?.pod ?? l.pod ?? null,
    container: t?.container ?? l.container ?? null,
    workload,
  };
}
