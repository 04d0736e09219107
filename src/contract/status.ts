// A case's status as people see it, and how they close a case. No dependencies: the console
// bundles this file.

/** How a person closes a case (POST /api/cases/:id/resolve). */
export const CLOSE_CATEGORIES = [
  'fixed',
  'mitigated',
  'false_positive',
  'noise',
  'duplicate',
  'expected',
  'other',
] as const;
export type CloseCategory = (typeof CLOSE_CATEGORIES)[number];

/**
 * The status a person should see: a snooze that has run out shows the alert's own status. A snooze
 * ends by the clock, not by an event, so this is computed at read time (the SQL of the case list
 * and the dashboard says the same).
 */
export function effectiveStatus(
  c: { status: string; alertStatus: string; snoozedUntil: string | null },
  now: number,
): string {
  if (c.status === 'snoozed' && c.snoozedUntil && Date.parse(c.snoozedUntil) <= now) return c.alertStatus;
  return c.status;
}
