import { z } from 'zod';
import { INCIDENT_KEY_KINDS, MEMBER_REASONS } from '../contract/incident-id.js';

// Incident events: related alerts (one rollout, workload, dependency, node) grouped as one
// incident with member cases. The aggregate is `incident.<id>`, the id derived from the
// correlation key and its time window, so every replica names the same storm the same way.

const ts = z.iso.datetime({ offset: true });
const id = z.string().min(1).max(200);
const note = z.string().max(2000).nullable();
const by = z.string().max(320).nullable();

export const incidentKeySchema = z.object({
  kind: z.enum(INCIDENT_KEY_KINDS),
  /** e.g. `shop/Deployment/api@7c9f` for a rollout; shown to people, never parsed. */
  value: z.string().min(1).max(500),
});

export const memberReasonSchema = z.object({
  kind: z.enum(MEMBER_REASONS),
  /** Human words: "Deployment shop/api, revision 7c9f". */
  detail: z.string().max(500),
});

export const incidentOpenedV1 = z.object({
  incidentId: id,
  key: incidentKeySchema,
  /** Start of the grouping window the key was first seen in. */
  windowStart: ts,
  /** The alert that opened it: its start, name and namespace. */
  firstAlertAt: ts,
  alertname: z.string().max(300),
  namespace: z.string().max(300).nullable(),
});

export const caseJoinedIncidentV1 = z.object({
  caseId: id,
  alertname: z.string().max(300),
  reason: memberReasonSchema,
  /** The member alert's episode start. */
  startsAt: ts,
});

/** One member's investigation covers the shared cause (alert name) for the whole incident. */
export const incidentInvestigationChosenV1 = z.object({
  cause: z.string().max(300),
  caseId: id,
  investigationId: id,
});

export const caseSplitFromIncidentV1 = z.object({ caseId: id, by, note, at: ts });

/** On `into`: the members moved in. On each `from`: the incident now lives on in `into`. */
export const incidentsMergedV1 = z.object({
  into: id,
  from: z.array(id).min(1).max(50),
  by,
  note,
  at: ts,
  /** Members moved into `into` (empty on the `from` side). */
  members: z.array(z.object({ caseId: id, alertname: z.string().max(300), from: id })).max(10_000),
});

export const incidentMemberResolvedV1 = z.object({ caseId: id, at: ts });
export const incidentResolvedV1 = z.object({ at: ts });

export const incidentEventSchemas = {
  IncidentOpened: incidentOpenedV1,
  CaseJoinedIncident: caseJoinedIncidentV1,
  IncidentInvestigationChosen: incidentInvestigationChosenV1,
  CaseSplitFromIncident: caseSplitFromIncidentV1,
  IncidentsMerged: incidentsMergedV1,
  IncidentMemberResolved: incidentMemberResolvedV1,
  IncidentResolved: incidentResolvedV1,
} as const;

export type IncidentEventType = keyof typeof incidentEventSchemas;

export const incidentEventVersions: Record<IncidentEventType, number> = {
  IncidentOpened: 1,
  CaseJoinedIncident: 1,
  IncidentInvestigationChosen: 1,
  CaseSplitFromIncident: 1,
  IncidentsMerged: 1,
  IncidentMemberResolved: 1,
  IncidentResolved: 1,
};

export type IncidentEvent = {
  [K in IncidentEventType]: { type: K; data: z.infer<(typeof incidentEventSchemas)[K]> };
}[IncidentEventType];

export type IncidentKey = z.infer<typeof incidentKeySchema>;
export type MemberReasonData = z.infer<typeof memberReasonSchema>;

export function isIncidentEventType(t: string): t is IncidentEventType {
  return Object.hasOwn(incidentEventSchemas, t);
}
