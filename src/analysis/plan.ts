// What to collect for an alert, decided from the alert alone (the preliminary family). PromQL
// comes first because it is cheap and historical; Kubernetes and logs add the current state and
// the application's own account. Requests only use label values that are present: nothing is
// guessed except a Deployment named after a Service, which is marked as such in its title.

import type { EvidenceRequest } from '../collectors/evidence.js';
import { alertExpression, alertName, stepFor, windowRange, type AlertInput, type Window } from './alert.js';
import { familyModule } from './families/registry.js';
import type { Family, FamilyDecision } from './family.js';
import { EV } from './ids.js';
import { noiseQueries } from './noise.js';
import type { ContainerScope } from './queries.js';
import { subjectLabels, workloadFromLabels } from './target.js';

export function planEvidence(
  alert: AlertInput,
  preliminary: Family | FamilyDecision,
  window: Window,
): EvidenceRequest[] {
  const family = typeof preliminary === 'string' ? preliminary : preliminary.family;
  const sub = typeof preliminary === 'string' ? null : preliminary.subReason;
  const mod = familyModule(family);
  const labels = subjectLabels(alert.labels);
  const name = alertName(alert);
  const step = stepFor(window);
  const lb = windowRange(window);
  const ns = labels.namespace;
  const pod = labels.pod;
  const container = labels.container;
  const c: ContainerScope | null = ns && pod ? { namespace: ns, pod, container } : null;
  const where = c ? `${ns}/${pod}${container ? ` (${container})` : ''}` : '';
  const workload = workloadFromLabels(labels, { guessFromService: !!mod.guessWorkloadFromService });
  const wName = workload ? `${workload.kind} ${ns ?? ''}/${workload.name}` : '';

  const reqs: EvidenceRequest[] = [];
  const range = (id: string, title: string, query: string | null) => {
    if (query) reqs.push({ id, title, source: 'prometheus', kind: 'range', query, stepSeconds: step });
  };
  const instant = (id: string, title: string, query: string | null) => {
    if (query) reqs.push({ id, title, source: 'prometheus', kind: 'instant', query });
  };

  // The alert's own rule, as a range: shows when it was true and whether it flaps.
  const expr = alertExpression(alert.generatorURL);
  if (expr) range(EV.alertExpr, `Alert rule expression (${name}) over the window`, expr);
  if (family !== 'meta') {
    // The alert's own history: a flapping alert is noise whatever its subject.
    range(
      EV.alertHistory,
      `Firing history of ${name} for these labels (ALERTS)`,
      noiseQueries.history(alert.labels),
    );
    instant(
      EV.alertStarts,
      `How often ${name} started for these labels in 24 h (ALERTS_FOR_STATE)`,
      noiseQueries.starts(alert.labels),
    );
  }

  mod.plan?.({
    alert,
    labels,
    sub,
    c: c && mod.podSubject ? c : null,
    where,
    workload,
    wName,
    lb,
    range,
    instant,
  });

  reqs.push({
    id: EV.amAlerts,
    title: `Alertmanager: all ${name} alerts (blast radius)`,
    source: 'alertmanager',
    kind: 'alerts',
    alertname: name,
  });
  reqs.push({
    id: EV.amSilences,
    title: `Alertmanager: silences for ${name}`,
    source: 'alertmanager',
    kind: 'silences',
    alertname: name,
  });
  if (family === 'meta') return reqs;

  if (ns && pod) {
    reqs.push({
      id: EV.pod,
      title: `Pod ${ns}/${pod}`,
      source: 'kubernetes',
      kind: 'pod',
      namespace: ns,
      pod,
    });
    reqs.push({
      id: EV.podEvents,
      title: `Events for pod ${ns}/${pod}`,
      source: 'kubernetes',
      kind: 'events',
      namespace: ns,
      involvedName: pod,
    });
  }
  if (ns && !pod && mod.podEventsOfWorkload) {
    // Probe failures and kills are recorded on the pods, whose names only share a prefix with
    // the workload (or appear as `pod` labels of the target's own series): read the namespace's
    // events and keep those.
    reqs.push({
      id: EV.nsEvents,
      title: `Events in namespace ${ns} (narrowed to the target's pods)`,
      source: 'kubernetes',
      kind: 'events',
      namespace: ns,
    });
  }
  if (ns && workload && mod.workloadObject) {
    const guessed = workload.source === 'service-name' ? ' (guessed from the service label)' : '';
    reqs.push({
      id: EV.workload,
      title: `${workload.kind} ${ns}/${workload.name}${guessed}: replicas, conditions, revisions`,
      source: 'kubernetes',
      kind: 'workload',
      namespace: ns,
      workloadKind: workload.kind,
      name: workload.name,
    });
    if (mod.workloadEvents || !pod) {
      reqs.push({
        id: EV.workloadEvents,
        title: `Events for ${workload.kind} ${ns}/${workload.name}`,
        source: 'kubernetes',
        kind: 'events',
        namespace: ns,
        involvedName: workload.name,
      });
    }
  }
  if (labels.node && mod.nodeObject?.(sub)) {
    reqs.push({
      id: EV.node,
      title: `Node ${labels.node}`,
      source: 'kubernetes',
      kind: 'node',
      node: labels.node,
    });
    // The kubelet records node events in the default namespace.
    reqs.push({
      id: EV.nodeEvents,
      title: `Events for node ${labels.node}`,
      source: 'kubernetes',
      kind: 'events',
      namespace: 'default',
      involvedName: labels.node,
    });
  }
  if (ns && pod && mod.podSubject && mod.previousLogs) {
    reqs.push({
      id: EV.previousLogs,
      title: `Logs of the previous (crashed) container of ${where}`,
      source: 'kubernetes',
      kind: 'previous_logs',
      namespace: ns,
      pod,
      ...(container ? { container } : {}),
      tailLines: 200,
    });
  }
  if (ns && !mod.noAppLogs?.(sub)) {
    const scope = pod ? where : `namespace ${ns} (no pod label; may include other workloads)`;
    reqs.push({
      id: EV.logs,
      title: `Application logs of ${scope}`,
      source: 'logs',
      kind: 'logs',
      namespace: ns,
      ...(pod ? { pod } : {}),
      ...(container ? { container } : {}),
      limit: pod ? 500 : 300,
    });
  }
  return dedupe(reqs);
}

function dedupe(reqs: EvidenceRequest[]): EvidenceRequest[] {
  const seen = new Set<string>();
  return reqs.filter((r) => (seen.has(r.id) ? false : (seen.add(r.id), true)));
}
