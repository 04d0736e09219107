import type { Reactor } from '../projections/engine/projection.js';
import type { EventStore } from '../events/event-store.js';
import { caseIdOf, isCaseAggregate } from '../contract/case-id.js';
import { IncidentGrouping, latestFired, type FiredAlert } from '../incidents/grouping.js';
import { IncidentCommandHandler } from '../commands/incident/handler.js';

/** Resolutions older than this when first read are not applied (see the join's horizon). */
const RESOLVE_HORIZON_MS = 24 * 3_600_000;

/**
 * Groups alert storms into incidents: each AlertFired joins the case to the open incident of its
 * strongest correlation key (rollout, workload, dependency, node, alert name) in the window, or
 * opens one; a case's AlertResolved or CaseResolved marks it resolved there. A reactor: the
 * incident events are appended before the checkpoint moves, and are idempotent (deterministic
 * incident ids and command ids), so a batch handled twice or on two replicas adds nothing.
 */
export function incidentGrouper(store: EventStore, windowMs: number, now = () => Date.now()): Reactor {
  const grouping = new IncidentGrouping(new IncidentCommandHandler(store), windowMs);
  return {
    name: 'incident-grouper',
    definitionVersion: 1,
    async react(events) {
      const fired = new Map<string, FiredAlert>();
      for (const e of events) {
        if (!isCaseAggregate(e.aggregate)) continue;
        const caseId = caseIdOf(e.aggregate);
        if (e.type === 'AlertFired') {
          fired.set(caseId, e.data);
          // A storm long over has nothing left to group (a first start on an old log, or a long
          // outage): joining it now would only write history nobody triages.
          if (now() - Date.parse(e.data.startsAt) > 2 * windowMs) continue;
          await grouping.join(caseId, e.data);
        } else if (e.type === 'AlertResolved' || e.type === 'CaseResolved') {
          if (now() - Date.parse(e.occurredAt) > RESOLVE_HORIZON_MS) continue;
          const alert = fired.get(caseId) ?? (await latestFired(store, caseId));
          if (alert) await grouping.resolve(caseId, alert, e.occurredAt);
        }
      }
    },
  };
}
