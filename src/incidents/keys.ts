import { createHash } from 'node:crypto';
import { workloadFromLabels } from '../analysis/target.js';
import type { IncidentKey, MemberReasonData } from '../events/incident-events.js';

// Correlation keys of an alert: which storm it may belong to, strongest first. Pure.

export interface Candidate {
  key: IncidentKey;
  reason: MemberReasonData;
}

// Where a rollout's revision shows in alert labels or annotations (kube-state-metrics, our rules).
const REVISION_KEYS = ['revision', 'pod_template_hash', 'controller_revision_hash', 'rollout'];
const REVISION_ANNOTATIONS = ['deployment.kubernetes.io/revision', 'revision'];
const DEPENDENCY_KEYS = ['dependency', 'upstream', 'destination_service', 'target_service'];
const NODE_KEYS = ['node', 'kubernetes_node'];
// Kubernetes' generated-suffix alphabet: the pod name's ReplicaSet hash is the template revision.
const DEPLOYMENT_POD = /^.+-([bcdfghjklmnpqrstvwxz2456789]{6,10})-[bcdfghjklmnpqrstvwxz2456789]{5}$/;

function revisionOf(labels: Record<string, string>, annotations: Record<string, string>): string | null {
  for (const k of REVISION_KEYS) if (labels[k]) return labels[k]!;
  for (const k of REVISION_ANNOTATIONS) if (annotations[k]) return annotations[k]!;
  return null;
}

/**
 * Candidate keys, strongest first: the rollout (workload at a known revision), the workload, the
 * dependency it calls, its node, and last the alert name in its namespace. The same alert name as
 * the incident's first member reads as "same alert across many pods".
 */
export function candidateKeys(
  labels: Record<string, string>,
  annotations: Record<string, string> = {},
): Candidate[] {
  const out: Candidate[] = [];
  const ns = labels.namespace ?? labels.exported_namespace ?? null;
  const alertname = labels.alertname ?? '';
  const workload = workloadFromLabels(labels);
  if (workload && ns) {
    const w = `${ns}/${workload.kind}/${workload.name}`;
    const words = `${workload.kind} ${ns}/${workload.name}`;
    let revision = revisionOf(labels, annotations);
    if (!revision && workload.kind === 'Deployment' && labels.pod)
      revision = DEPLOYMENT_POD.exec(labels.pod)?.[1] ?? null;
    if (revision)
      out.push({
        key: { kind: 'rollout', value: `${w}@${revision}` },
        reason: { kind: 'same_rollout', detail: `${words}, revision ${revision}` },
      });
    out.push({ key: { kind: 'workload', value: w }, reason: { kind: 'same_workload', detail: words } });
  }
  const dep = DEPENDENCY_KEYS.map((k) => labels[k]).find(Boolean) ?? (!workload ? labels.service : undefined);
  if (dep)
    out.push({
      key: { kind: 'dependency', value: `${ns ?? '-'}/${dep}` },
      reason: { kind: 'same_dependency', detail: `depends on ${dep}${ns ? ` in ${ns}` : ''}` },
    });
  const node = NODE_KEYS.map((k) => labels[k]).find(Boolean);
  if (node)
    out.push({ key: { kind: 'node', value: node }, reason: { kind: 'same_node', detail: `node ${node}` } });
  if (alertname)
    out.push({
      key: { kind: 'alert', value: `${ns ?? '-'}/${alertname}` },
      reason: { kind: 'same_alert', detail: `${alertname}${ns ? ` in ${ns}` : ''}` },
    });
  return out;
}

/** Start of the fixed window holding `at` (windows are aligned to the epoch). */
export function windowStart(at: string, windowMs: number): string {
  const t = Date.parse(at);
  return new Date(Math.floor(t / windowMs) * windowMs).toISOString();
}

/** Deterministic id: every replica, redelivery and replay names the same storm the same way. */
export function incidentIdFor(key: IncidentKey, window: string): string {
  const h = createHash('sha256').update(`${key.kind}\n${key.value}\n${window}`).digest('hex');
  return `inc-${h.slice(0, 24)}`;
}

/**
 * The member's reason: a member of a workload or rollout incident firing the same alert as the one
 * that opened it is "the same alert across many pods".
 */
export function reasonIn(
  candidate: Candidate,
  opener: { alertname: string } | null,
  alertname: string,
): MemberReasonData {
  if (
    opener &&
    opener.alertname === alertname &&
    (candidate.key.kind === 'workload' || candidate.key.kind === 'rollout')
  )
    return { kind: 'same_alert', detail: `${alertname} across pods of ${candidate.reason.detail}` };
  return candidate.reason;
}
