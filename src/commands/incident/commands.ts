import type { IncidentKey, MemberReasonData } from '../../events/incident-events.js';

export type IncidentCommand =
  | {
      type: 'JoinIncident';
      incidentId: string;
      key: IncidentKey;
      windowStart: string;
      caseId: string;
      alertname: string;
      namespace: string | null;
      startsAt: string;
      reason: MemberReasonData;
    }
  | {
      type: 'ChooseInvestigation';
      cause: string;
      caseId: string;
      investigationId: string;
      /** The chosen investigation failed for good: this one takes its place. */
      replacing?: string;
    }
  | { type: 'SplitCase'; caseId: string; by: string | null; note: string | null; at: string }
  /** On the incident that absorbs: members of each `from` move in. */
  | {
      type: 'AbsorbIncidents';
      into: string;
      from: { incidentId: string; members: { caseId: string; alertname: string }[] }[];
      by: string | null;
      note: string | null;
      at: string;
    }
  /** On an incident merged away: it now lives on in `into`. */
  | { type: 'MergeInto'; into: string; self: string; by: string | null; note: string | null; at: string }
  | { type: 'ResolveMember'; caseId: string; at: string };
