// An incident (a storm of related alerts) is the event-store aggregate `incident.<id>`. No
// dependencies: the console bundles this file.

const PREFIX = 'incident.';

/** The aggregate (stream subject part) of an incident. */
export const incidentAggregate = (incidentId: string): string => `${PREFIX}${incidentId}`;

export const isIncidentAggregate = (aggregate: string): boolean => aggregate.startsWith(PREFIX);

export const incidentIdOf = (aggregate: string): string => aggregate.slice(PREFIX.length);

/** Why alerts belong together, strongest first. */
export const INCIDENT_KEY_KINDS = ['rollout', 'workload', 'dependency', 'node', 'alert'] as const;
export type IncidentKeyKind = (typeof INCIDENT_KEY_KINDS)[number];

/** Why one member is in its incident. */
export const MEMBER_REASONS = [
  'same_rollout',
  'same_workload',
  'same_alert',
  'same_dependency',
  'same_node',
  'merged',
] as const;
export type MemberReason = (typeof MEMBER_REASONS)[number];

/** Incident ids are `inc-` and hex: no `.`, `*`, `>` or spaces (they name a subject). */
export const INCIDENT_ID = /^inc-[0-9a-f]{8,64}$/;
