import type { RecordedReport } from '../../contract/report.js';
import { workloadFromLabels } from '../../analysis/target.js';

// What case memory compares incidents by. Pure: the projection derives a row's features from the
// events, and the worker derives the same features from the report it just wrote, so a lookup
// during an investigation compares like with like.

/** How the workload changed before the alert, as the report's change correlation saw it. */
export type ChangePattern = 'image_rollout' | 'config_rollout' | 'no_change';

export interface MemoryFeatures {
  alertname: string;
  cluster: string | null;
  namespace: string | null;
  /** `<namespace>/<workload name>`: the same workload in any cluster (the kind is left out, as a
   * name guessed from a pod may get it wrong). */
  workloadKey: string | null;
  /** `<namespace>/<service>`. */
  serviceKey: string | null;
  family: string | null;
  familyDetail: string | null;
  targetKind: string | null;
  target: string | null;
  /** Ids of the known log signatures found (src/analysis/signatures.ts), sorted. */
  signatures: string[];
  /** The log patterns and stack-trace headers found, as one text for similarity. */
  logText: string | null;
  changePattern: ChangePattern | null;
  summary: string | null;
}

// Enough for the top patterns (the report lists them most frequent first); short enough that
// comparing hundreds of candidates stays cheap.
const MAX_LOG_TEXT = 800;

const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);
const key = (namespace: string | null, name: string | null) => (name ? `${namespace ?? ''}/${name}` : null);

/** Features the alert's labels alone give (before any investigation finished). */
export function featuresFromLabels(labels: Record<string, string>): MemoryFeatures {
  const namespace = str(labels.namespace) ?? str(labels.exported_namespace);
  const workload = workloadFromLabels(labels);
  return {
    alertname: labels.alertname ?? '',
    cluster: str(labels.cluster),
    namespace,
    workloadKey: key(namespace, workload?.name ?? null),
    serviceKey: key(namespace, str(labels.service)),
    family: null,
    familyDetail: null,
    targetKind: null,
    target: null,
    signatures: [],
    logText: null,
    changePattern: null,
    summary: null,
  };
}

/**
 * Features of an investigated episode: the report's target, family, log findings and changes
 * over `base` (the labels' guesses, or what an earlier report said). Read defensively: a report of any version (or a truncated one) may
 * lack any field.
 */
export function featuresFromReport(base: MemoryFeatures, report: RecordedReport): MemoryFeatures {
  const t = report.target ?? {};
  const namespace = str(t.namespace) ?? base.namespace;
  const logs = report.logFindings ?? {};
  const signatures = [
    ...new Set((logs.signatures ?? []).map((s) => str(s?.id)).filter((s): s is string => s !== null)),
  ].sort();
  const texts = [
    ...(logs.patterns ?? []).map((p) => str(p?.pattern)),
    ...(logs.stackTraces ?? []).map((s) => str(s?.header)),
  ].filter((x): x is string => x !== null);
  const logText = texts.length ? texts.join('\n').slice(0, MAX_LOG_TEXT) : null;
  return {
    ...base,
    cluster: str(t.cluster) ?? base.cluster,
    namespace,
    workloadKey: key(namespace, str(t.workload?.name)) ?? base.workloadKey,
    serviceKey: key(namespace, str(t.service)) ?? base.serviceKey,
    family: str(report.family),
    familyDetail: str(report.familyDetail?.subReason),
    targetKind: str(t.kind),
    target: str(t.display) ?? str(t.name),
    signatures,
    logText,
    changePattern: changePattern(report.changes),
    summary: str(report.summary),
  };
}

function changePattern(changes: RecordedReport['changes']): ChangePattern | null {
  if (!changes || changes.known !== true) return null;
  const before = (changes.items ?? []).filter((c) => c?.precedesAlert === true);
  if (before.some((c) => c.imageChanged === true)) return 'image_rollout';
  if (before.length) return 'config_rollout';
  return 'no_change';
}
