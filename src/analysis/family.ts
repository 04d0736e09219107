// Alert family: what kind of failure this is. A preliminary answer comes from the alert alone
// (name, labels, rule expression) and decides what to collect; the final answer also weighs the
// evidence (a "crash loop" whose container was OOM-killed is an OOM problem). The tables live in
// the family modules (families/); this is the engine that applies them in order.

import type { ContainerState, EvidenceItem, PodData } from '../collectors/evidence.js';
import { alertExpression, alertName, type AlertInput } from './alert.js';
import {
  EXPR_PATTERNS,
  FAMILY_MODULES,
  familyModule,
  NAME_PATTERNS,
  REFINEMENTS,
} from './families/registry.js';
import type { PodFacts } from './families/types.js';
import type { FamilyDecision, FinalFamily } from './model.js';
import { EV } from './ids.js';
import { subjectLabels } from './target.js';
import { answered, byId, view } from './view.js';

import type { Family } from '../contract/taxonomy.js';

export { FAMILIES, type Family } from '../contract/taxonomy.js';

export type { FamilyDecision, FinalFamily } from './model.js';

function byAlertName(name: string, labels: Record<string, string>): [Family, string | null] | null {
  for (const m of FAMILY_MODULES) {
    const sub = m.matchAlert?.(name, labels);
    if (sub !== undefined) return [m.family, sub];
  }
  for (const m of FAMILY_MODULES) {
    if (m.alertNames && Object.hasOwn(m.alertNames, name)) return [m.family, m.alertNames[name] ?? null];
  }
  return null;
}

function byReason(reason: string): [Family, string | null] | null {
  for (const m of FAMILY_MODULES) {
    const sub = m.reasons?.(reason);
    if (sub !== undefined) return [m.family, sub];
  }
  return null;
}

/** Family from the alert alone: name, `reason` label, then the rule's expression. */
export function preliminaryFamily(alert: AlertInput): FamilyDecision {
  const name = alertName(alert);
  const labels = subjectLabels(alert.labels);
  const known = byAlertName(name, labels);
  const reason = labels.reason;
  const fromReason = reason ? byReason(reason) : null;
  // A container reason names the failure more precisely than a general alert name, except for
  // alerts that fire by design.
  if (fromReason && known?.[0] !== 'meta') return decision(fromReason, `label reason="${reason}"`);
  if (known) return decision(known, `alertname ${name} (well-known rule)`);
  for (const p of NAME_PATTERNS) {
    if (p.re.test(name)) return decision([p.family, p.sub], `alertname ${name} matches /${p.re.source}/`);
  }
  const expr = alertExpression(alert.generatorURL);
  if (expr) {
    for (const p of EXPR_PATTERNS) {
      if (p.re.test(expr)) return decision([p.family, p.sub], `rule expression matches /${p.re.source}/`);
    }
  }
  return {
    family: 'generic',
    subReason: null,
    reasons: [`alertname ${name}: no known name, reason label or expression pattern`],
  };
}

function decision([family, subReason]: [Family, string | null], why: string): FamilyDecision {
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

function podFacts(alert: AlertInput, evidence: readonly EvidenceItem[]): PodFacts {
  const labels = subjectLabels(alert.labels);
  const podFound = view.pod(evidence, EV.pod);
  const containers = podFound ? relevantContainers(podFound.data, labels.container) : [];
  return {
    pod: podFound?.data ?? null,
    podId: podFound?.item.id ?? null,
    containers,
    lastReasons: [
      ...containers.flatMap((c) =>
        c.lastTermination?.reason ? [{ reason: c.lastTermination.reason, src: `${EV.pod} (${c.name})` }] : [],
      ),
      ...seriesReasons(evidence, EV.lastTerminated).map((reason) => ({ reason, src: EV.lastTerminated })),
    ],
    waiting: [
      ...containers.flatMap((c) =>
        c.state === 'waiting' && c.reason ? [{ reason: c.reason, src: `${EV.pod} (${c.name})` }] : [],
      ),
      ...seriesReasons(evidence, EV.waiting).map((reason) => ({ reason, src: EV.waiting })),
    ],
  };
}

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
  const mod = familyModule(prelim.family);
  const labels = subjectLabels(alert.labels);
  // Container state speaks only for alerts about a pod, never for one about a node.
  if (!mod.podLevel || mod.nodeSubject?.(prelim.subReason, labels)) return out;

  const facts = podFacts(alert, evidence);
  for (const r of REFINEMENTS) {
    const claim = r.claim(facts, prelim.family);
    if (!claim) continue;
    if (r.family !== out.family || claim.sub !== out.subReason) {
      out.reasons.push(`${claim.why} → ${r.family}${claim.sub ? ` (${claim.sub})` : ''}`);
    } else {
      out.reasons.push(`confirmed: ${claim.why}`);
    }
    out.family = r.family;
    out.subReason = claim.sub;
    break;
  }

  const checked = answered(byId(evidence, EV.pod)) || answered(byId(evidence, EV.lastTerminated));
  if (!checked && (labels.pod || labels.container)) {
    out.reasons.push(
      'not confirmed by evidence: neither pod state nor container termination metrics were available',
    );
  }
  return out;
}
