import type { EventStore } from '../events/event-store.js';
import type { IncidentCommandHandler } from '../commands/incident/handler.js';
import type { IncidentState } from '../commands/incident/state.js';
import { memberOf } from '../commands/incident/state.js';
import { caseAggregate } from '../contract/case-id.js';
import { candidateKeys, incidentIdFor, reasonIn, windowStart, type Candidate } from './keys.js';

export interface FiredAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
}

export interface Coverage {
  incidentId: string;
  coveredBy: { caseId: string; investigationId: string };
}

/**
 * Puts cases into incidents and says which member's investigation covers a shared cause. Used by
 * the grouper reactor (on AlertFired) and by the worker before it starts a job, so the decision is
 * made before an investigation runs whichever of the two gets there first. Every step is an
 * idempotent command on the incident aggregate: HA replicas and redeliveries add nothing.
 */
export class IncidentGrouping {
  constructor(
    private readonly incidents: IncidentCommandHandler,
    private readonly windowMs: number,
    /** Whether a chosen investigation failed for good (read from its case); absent: never. */
    private readonly failed?: (chosen: { caseId: string; investigationId: string }) => Promise<boolean>,
  ) {}

  /** Incident ids that may hold this alert, strongest key first, this window then the one before. */
  private places(alert: FiredAlert): { id: string; candidate: Candidate; window: string }[] {
    const win = windowStart(alert.startsAt, this.windowMs);
    const prev = new Date(Date.parse(win) - this.windowMs).toISOString();
    return candidateKeys(alert.labels, alert.annotations).flatMap((candidate) =>
      [win, prev].map((window) => ({ id: incidentIdFor(candidate.key, window), candidate, window })),
    );
  }

  /** Follows merges to the incident that lives on (a few hops at most). */
  private async live(id: string): Promise<{ id: string; state: IncidentState }> {
    let cur = { id, state: (await this.incidents.current(id)).state };
    for (let hops = 0; hops < 5 && cur.state.mergedInto; hops++) {
      const next = cur.state.mergedInto;
      cur = { id: next, state: (await this.incidents.current(next)).state };
    }
    return cur;
  }

  /** The incident the case belongs to, joining (or opening) one when it has none. */
  async join(caseId: string, alert: FiredAlert): Promise<string | null> {
    const places = this.places(alert);
    if (places.length === 0) return null;
    for (const p of places) {
      const { id, state } = await this.live(p.id);
      if (!state.exists) continue;
      const m = memberOf(state, caseId);
      if (m?.status === 'split') return null; // a person took it out: it stays out
      // Joining a resolved incident (or as a member firing again) opens it again: the same storm.
      if (m?.status !== 'active') await this.joinOne(id, p, caseId, alert, state);
      return id;
    }
    const first = places[0]!;
    await this.joinOne(first.id, first, caseId, alert, null);
    return first.id;
  }

  private async joinOne(
    id: string,
    p: { candidate: Candidate; window: string },
    caseId: string,
    alert: FiredAlert,
    state: IncidentState | null,
  ) {
    const alertname = alert.labels.alertname ?? '';
    const opener = state?.members[0] ?? null;
    await this.incidents.handle(
      id,
      {
        type: 'JoinIncident',
        incidentId: id,
        key: state?.key ?? p.candidate.key,
        windowStart: state?.windowStart ?? p.window,
        caseId,
        alertname,
        namespace: alert.labels.namespace ?? null,
        startsAt: alert.startsAt,
        reason: reasonIn(p.candidate, opener, alertname),
      },
      `join:${id}:${caseId}:${Date.parse(alert.startsAt)}`,
    );
  }

  /** The incident in which the case is an active member, without joining anything. */
  async find(caseId: string, alert: FiredAlert): Promise<string | null> {
    for (const p of this.places(alert)) {
      const { id, state } = await this.live(p.id);
      if (state.exists && memberOf(state, caseId)?.status === 'active') return id;
    }
    return null;
  }

  /**
   * Joins the case's incident and claims the shared cause (its alert name) for this investigation
   * unless another member already has: then the coverage is returned and this job need not run.
   */
  async coverage(caseId: string, investigationId: string, alert: FiredAlert): Promise<Coverage | null> {
    const incidentId = await this.join(caseId, alert);
    if (!incidentId) return null;
    const cause = alert.labels.alertname ?? '';
    const res = await this.incidents.handle(
      incidentId,
      { type: 'ChooseInvestigation', cause, caseId, investigationId },
      `choose:${incidentId}:${cause}:${investigationId}`,
    );
    let chosen = res.state.chosen[cause];
    if (chosen && chosen.caseId !== caseId && this.failed && (await this.failed(chosen))) {
      // The covering investigation failed for good: this member's takes its place.
      const again = await this.incidents.handle(
        incidentId,
        { type: 'ChooseInvestigation', cause, caseId, investigationId, replacing: chosen.investigationId },
        `choose:${incidentId}:${cause}:${investigationId}:replacing:${chosen.investigationId}`,
      );
      chosen = again.state.chosen[cause];
    }
    return chosen && chosen.caseId !== caseId ? { incidentId, coveredBy: chosen } : null;
  }

  /** Marks the case resolved in its incident; the incident resolves with its last member. */
  async resolve(caseId: string, alert: FiredAlert, at: string): Promise<void> {
    const id = await this.find(caseId, alert);
    if (!id) return;
    await this.incidents.handle(id, { type: 'ResolveMember', caseId, at }, `resolve:${id}:${caseId}:${at}`);
  }
}

/** The newest AlertFired of a case, read from the log (the grouper's way back to its labels). */
export async function latestFired(store: EventStore, caseId: string): Promise<FiredAlert | null> {
  const { events } = await store.readAggregate(caseAggregate(caseId));
  for (let i = events.length - 1; i >= 0; i--) {
    const e = events[i]!;
    if (e.type === 'AlertFired') return e.data;
  }
  return null;
}

/** Reads the chosen investigation's case: failed for good (its final InvestigationFailed)? */
export function failedInLog(store: EventStore) {
  return async (chosen: { caseId: string; investigationId: string }): Promise<boolean> => {
    const { events } = await store.readAggregate(caseAggregate(chosen.caseId));
    return events.some(
      (e) =>
        e.type === 'InvestigationFailed' && e.data.final && e.data.investigationId === chosen.investigationId,
    );
  };
}
