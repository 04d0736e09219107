// What we could not see, and therefore do not claim. Each missing input is stated with its reason
// and the questions it leaves open, grouped so one outage reads as one sentence.

import type { EvidenceItem, EvidenceRequest, EvidenceSource } from '../collectors/evidence.js';
import { alertExpression, type AlertInput } from './alert.js';
import { familyModule } from './families/registry.js';
import type { Family } from './family.js';
import { subjectLabels } from './target.js';
import { oneLine } from './text.js';

const SOURCE_NAME: Record<EvidenceSource, string> = {
  prometheus: 'Prometheus',
  kubernetes: 'Kubernetes API',
  alertmanager: 'Alertmanager',
  logs: 'Log backend',
};

// What each missing kind leaves unknown, and whether the phrase takes "is" or "are".
const CONSEQUENCE: Partial<Record<EvidenceRequest['kind'], [string, 'is' | 'are']>> = {
  pod: ['pod state (container states, restarts, last termination)', 'is'],
  workload: ['replica counts and rollout history (so change correlation)', 'are'],
  events: ['Kubernetes events', 'are'],
  node: ['node conditions', 'are'],
  previous_logs: ["the crashed container's last log lines", 'are'],
  logs: ['application logs', 'are'],
  alerts: ['the blast radius (how many instances fire)', 'is'],
  silences: ['whether this alert is silenced elsewhere', 'is'],
};
const consequence = (kind: EvidenceRequest['kind'], title: string): [string, 'is' | 'are'] =>
  CONSEQUENCE[kind] ?? [oneLine(title, 80), 'is'];

const UNREACHABLE = /ECONNREFUSED|ENOTFOUND|EHOSTUNREACH|ETIMEDOUT|ECONNRESET|timeout|unreachable|connect/i;

/** How to get what is missing: the RBAC grant for a 403, the setting for an unconfigured source. */
function howToGet(source: EvidenceSource, error: string): string {
  const denied = error.match(/denied (\w+) ([\w/.-]+)(?: in namespace ([^ (]+))?/i);
  if (source === 'kubernetes' && (denied || /403|forbidden/i.test(error))) {
    const verb = denied?.[1] ?? 'get';
    const resource = denied?.[2] ?? 'the resource';
    const ns = denied?.[3];
    return ` To see it, grant Tarka's service account ${verb === 'list' ? 'get, list' : `${verb}, list`} on ${resource}${ns ? ` in namespace ${ns}` : ''} (a Role/ClusterRole rule: resources [${resource}], verbs [get, list, watch]).`;
  }
  if (source === 'logs' && /not configured/i.test(error))
    return ' To see them, set LOGS_URL (and LOGS_BACKEND: victorialogs or loki) so Tarka can query the log backend.';
  if (source === 'kubernetes' && /not configured/i.test(error))
    return ' To see it, run Tarka in-cluster with a service account or set KUBECONFIG.';
  if (/not configured/i.test(error)) return ` To see it, configure ${SOURCE_NAME[source]}'s URL.`;
  return '';
}

export function listUnknowns(
  alert: AlertInput,
  family: Family,
  evidence: readonly EvidenceItem[],
  subReason: string | null = null,
): string[] {
  const out: string[] = [];
  const labels = subjectLabels(alert.labels);

  if (!alertExpression(alert.generatorURL)) {
    out.push(
      'The alert has no generatorURL with an expression, so its own rule could not be re-evaluated over the window.',
    );
  }
  if (family !== 'meta' && !labels.namespace && !familyModule(family).nodeSubject?.(subReason, labels)) {
    out.push('The alert has no namespace label, so Kubernetes objects and logs could not be looked up.');
  }

  // Group failures by source and error so one outage reads as one statement.
  const groups = new Map<
    string,
    {
      source: EvidenceSource;
      status: string;
      error: string;
      rawError: string;
      what: string[];
      verbs: ('is' | 'are')[];
    }
  >();
  for (const item of evidence) {
    if (item.status !== 'unavailable' && item.status !== 'error') continue;
    const rawError = item.error ?? 'no reason given';
    const error = oneLine(rawError.replace(/\. Grant Tarka.*$/s, ''), 140);
    const key = `${item.source}|${item.status}|${error}`;
    const g = groups.get(key) ?? {
      source: item.source,
      status: item.status,
      error,
      rawError,
      what: [],
      verbs: [],
    };
    const [what, verb] = consequence(item.kind, item.title);
    if (!g.what.includes(what)) {
      g.what.push(what);
      g.verbs.push(verb);
    }
    groups.set(key, g);
  }
  for (const g of groups.values()) {
    const verb =
      g.status === 'error' ? 'returned an error' : UNREACHABLE.test(g.error) ? 'unreachable' : 'unavailable';
    const what = g.what;
    const list =
      what.length > 4 ? `${what.slice(0, 4).join(', ')} and ${what.length - 4} more` : what.join(', ');
    const so = what.length === 1 ? `${list} ${g.verbs[0]} unknown` : `these are unknown: ${list}`;
    out.push(
      oneLine(
        `${SOURCE_NAME[g.source]} ${verb} (${g.error}), so ${so}.${howToGet(g.source, g.rawError)}`,
        400,
      ),
    );
  }

  for (const item of evidence) {
    if (
      item.status === 'empty' &&
      (item.kind === 'pod' || item.kind === 'workload' || item.kind === 'node')
    ) {
      // The object is gone (or was never there): its current state cannot be read.
      const what = item.error ? oneLine(item.error, 160) : `${oneLine(item.title, 120)} was not found`;
      const [lost, verb] = consequence(item.kind, item.title);
      out.push(oneLine(`${what}, so ${lost} ${verb} unknown.`, 400));
    }
    if (item.status === 'empty' && (item.kind === 'logs' || item.kind === 'previous_logs')) {
      out.push(
        oneLine(`${item.title}: no lines returned, so the application's own account is unknown.`, 400),
      );
    }
  }
  const truncated = evidence.filter((e) => e.truncated).map((e) => e.id);
  if (truncated.length) {
    out.push(
      oneLine(
        `Results were cut to stay bounded for ${truncated.join(', ')}; totals derived from them may be incomplete.`,
        400,
      ),
    );
  }
  return out.slice(0, 15);
}
