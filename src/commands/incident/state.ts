import type { IncidentEvent, IncidentKey } from '../../events/incident-events.js';

export interface MemberState {
  caseId: string;
  alertname: string;
  status: 'active' | 'resolved' | 'split';
}

export interface IncidentState {
  exists: boolean;
  id: string | null;
  key: IncidentKey | null;
  windowStart: string | null;
  /** A short list; a storm of 500 is 500 entries. */
  members: readonly MemberState[];
  /** cause (alert name) -> the member investigation that covers it. */
  chosen: Readonly<Record<string, { caseId: string; investigationId: string }>>;
  mergedInto: string | null;
  /** Incidents merged into this one (a repeated merge is nothing new). */
  mergedFrom: readonly string[];
  resolved: boolean;
}

export const initialIncident = (): IncidentState => ({
  exists: false,
  id: null,
  key: null,
  windowStart: null,
  members: [],
  chosen: {},
  mergedInto: null,
  mergedFrom: [],
  resolved: false,
});

export const memberOf = (s: IncidentState, caseId: string) => s.members.find((m) => m.caseId === caseId);

const withMember = (s: IncidentState, m: MemberState): IncidentState => ({
  ...s,
  members: s.members.filter((x) => x.caseId !== m.caseId).concat(m),
});

/** Folds one event into the incident. Pure. */
export function evolveIncident(s: IncidentState, e: IncidentEvent): IncidentState {
  switch (e.type) {
    case 'IncidentOpened':
      return { ...s, exists: true, id: e.data.incidentId, key: e.data.key, windowStart: e.data.windowStart };
    case 'CaseJoinedIncident':
      // Reopened after resolving: a new round of the storm gets investigations of its own.
      return {
        ...withMember(s, { caseId: e.data.caseId, alertname: e.data.alertname, status: 'active' }),
        resolved: false,
        chosen: s.resolved ? {} : s.chosen,
      };
    case 'IncidentInvestigationChosen':
      return {
        ...s,
        chosen: {
          ...s.chosen,
          [e.data.cause]: { caseId: e.data.caseId, investigationId: e.data.investigationId },
        },
      };
    case 'CaseSplitFromIncident': {
      const m = memberOf(s, e.data.caseId);
      return m ? withMember(s, { ...m, status: 'split' }) : s;
    }
    case 'IncidentsMerged':
      // The same event type on both sides: the `from` side learns where it went.
      if (e.data.into !== s.id) return { ...s, mergedInto: e.data.into };
      return e.data.members.reduce<IncidentState>(
        (acc, m) =>
          memberOf(acc, m.caseId)
            ? acc
            : withMember(acc, { caseId: m.caseId, alertname: m.alertname, status: 'active' }),
        { ...s, mergedFrom: [...new Set([...s.mergedFrom, ...e.data.from])] },
      );
    case 'IncidentMemberResolved': {
      const m = memberOf(s, e.data.caseId);
      return m && m.status === 'active' ? withMember(s, { ...m, status: 'resolved' }) : s;
    }
    case 'IncidentResolved':
      return { ...s, resolved: true };
  }
}
