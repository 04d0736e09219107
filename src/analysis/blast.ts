// Blast radius from Alertmanager: how many instances of this alert fire now, where, and which
// of them are silenced. Without the alerts evidence the radius is stated as unknown, not zero.

import type { EvidenceItem, SilencesData } from '../collectors/evidence.js';
import type { AlertInput } from './alert.js';
import { EV } from './ids.js';
import type { BlastRadius } from '../contract/report.js';
import { oneLine, take, uniq } from './text.js';
import { byId, view } from './view.js';

function describe(labels: Record<string, string>): string {
  const ns = labels.namespace ? `${labels.namespace}/` : '';
  const subject =
    labels.pod ??
    labels.deployment ??
    labels.statefulset ??
    labels.daemonset ??
    labels.job_name ??
    labels.service ??
    labels.node ??
    labels.instance ??
    labels.job ??
    '';
  const cluster = labels.cluster ? ` @${labels.cluster}` : '';
  return oneLine(`${ns}${subject}${cluster}` || '(no identifying labels)', 140);
}

type Silence = SilencesData['silences'][number];

/** Alertmanager matcher semantics: regexes are fully anchored, a missing label is the empty string. */
export function silenceMatches(silence: Silence, labels: Record<string, string>): boolean {
  return silence.matchers.every((m) => {
    const v = Object.hasOwn(labels, m.name) ? labels[m.name]! : '';
    let hit: boolean;
    if (m.isRegex) {
      try {
        hit = new RegExp(`^(?:${m.value})$`).test(v);
      } catch {
        hit = false;
      }
    } else hit = v === m.value;
    return m.isEqual === false ? !hit : hit;
  });
}

export function blastRadius(alert: AlertInput, evidence: readonly EvidenceItem[], now: string): BlastRadius {
  const silences = silenceSummary(alert, evidence, now);
  const item = byId(evidence, EV.amAlerts) ?? evidence.find((e) => e.kind === 'alerts');
  const unknown = (reason: string): BlastRadius => ({
    known: false,
    reason,
    firing: null,
    suppressed: null,
    namespaces: { count: 0, names: [] },
    clusters: { count: 0, names: [] },
    instances: [],
    thisAlertActive: null,
    silences,
  });
  if (!item) return unknown('Alertmanager alerts were not collected');
  if (item.status === 'unavailable' || item.status === 'error') {
    return unknown(
      `Alertmanager ${item.status}${item.error ? ` (${oneLine(item.error, 150)})` : ''}: blast radius unknown`,
    );
  }
  const alerts = view.alerts(evidence, EV.amAlerts)?.data.alerts ?? [];
  if (item.status === 'ok' && !view.alerts(evidence, EV.amAlerts))
    return unknown('Alertmanager alerts data was malformed');

  const namespaces = uniq(alerts.flatMap((a) => (a.labels.namespace ? [a.labels.namespace] : []))).sort();
  const clusters = uniq(alerts.flatMap((a) => (a.labels.cluster ? [a.labels.cluster] : []))).sort();
  // This alert first, then the others in a stable order.
  const ordered = [...alerts].sort(
    (a, b) =>
      Number(b.fingerprint === alert.fingerprint) - Number(a.fingerprint === alert.fingerprint) ||
      describe(a.labels).localeCompare(describe(b.labels)),
  );
  const present = alerts.some((a) => a.fingerprint === alert.fingerprint);
  return {
    known: true,
    reason: item.truncated ? 'Alertmanager list was truncated; counts are a lower bound' : null,
    firing: alerts.length,
    suppressed: alerts.filter((a) => a.state === 'suppressed').length,
    namespaces: { count: namespaces.length, names: take(namespaces, 10).map((n) => oneLine(n, 100)) },
    clusters: { count: clusters.length, names: take(clusters, 10).map((n) => oneLine(n, 100)) },
    instances: take(ordered, 10).map((a) => `${describe(a.labels)} (${oneLine(a.state, 15)})`),
    // A truncated list cannot prove absence.
    thisAlertActive: present ? true : item.truncated ? null : false,
    silences,
  };
}

function silenceSummary(
  alert: AlertInput,
  evidence: readonly EvidenceItem[],
  now: string,
): BlastRadius['silences'] {
  const found = view.silences(evidence, EV.amSilences);
  const item = byId(evidence, EV.amSilences) ?? evidence.find((e) => e.kind === 'silences');
  if (!found) {
    const known = item?.status === 'empty';
    return { known, active: known ? 0 : null, matchingThisAlert: known ? 0 : null, examples: [] };
  }
  const t = Date.parse(now);
  const active = found.data.silences.filter((s) => Date.parse(s.endsAt) > t);
  const matching = active.filter((s) => silenceMatches(s, alert.labels));
  return {
    known: true,
    active: active.length,
    matchingThisAlert: matching.length,
    examples: take([...matching, ...active.filter((s) => !matching.includes(s))], 3).map((s) =>
      oneLine(
        `${s.matchers.map((m) => `${m.name}${m.isEqual === false ? '!' : ''}${m.isRegex ? '=~' : '='}"${m.value}"`).join(',')} by ${s.createdBy}: ${s.comment}`,
        200,
      ),
    ),
  };
}
