import { z } from 'zod';

// Incidents as the API and console see them. Only zod: the console bundles this file.

export const incidentViewSchema = z.object({
  incidentId: z.string(),
  keyKind: z.string(),
  keyValue: z.string(),
  windowStart: z.string(),
  firstAlertAt: z.string(),
  alertname: z.string(),
  namespace: z.string().nullable(),
  status: z.enum(['open', 'resolved', 'merged']),
  mergedInto: z.string().nullable(),
  memberCount: z.number(),
  activeCount: z.number(),
  reasons: z.record(z.string(), z.number()),
  chosen: z.record(z.string(), z.object({ caseId: z.string(), investigationId: z.string() })),
  openedAt: z.string(),
  updatedAt: z.string(),
  lastSeq: z.coerce.number(),
});
export type IncidentView = z.infer<typeof incidentViewSchema>;

export const incidentMemberViewSchema = z.object({
  caseId: z.string(),
  alertname: z.string(),
  reasonKind: z.string(),
  reasonDetail: z.string(),
  status: z.enum(['active', 'resolved', 'split']),
  joinedAt: z.string(),
  splitBy: z.string().nullable(),
  splitNote: z.string().nullable(),
  /** From the case row: what its investigation says (covered members point at another case). */
  investigationState: z.string().nullable(),
  summary: z.string().nullable(),
});
export type IncidentMemberView = z.infer<typeof incidentMemberViewSchema>;

export interface IncidentDetail {
  incident: IncidentView;
  members: IncidentMemberView[];
}
