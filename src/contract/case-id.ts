// A case is the event-store aggregate `case.<id>`; the id is the alert's fingerprint. No
// dependencies.

const PREFIX = 'case.';

/** The aggregate (stream subject part) of a case. */
export const caseAggregate = (caseId: string): string => `${PREFIX}${caseId}`;

/** Whether an aggregate is a case's. */
export const isCaseAggregate = (aggregate: string): boolean => aggregate.startsWith(PREFIX);

/** The case id of a case's aggregate (`case.<id>` → `<id>`). */
export const caseIdOf = (caseAggregate: string): string => caseAggregate.slice(PREFIX.length);
