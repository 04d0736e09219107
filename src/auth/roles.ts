import { ROLES, type Role } from '../events/auth-events.js';

export { ROLES, type Role };

const rank: Record<Role, number> = { viewer: 0, responder: 1, admin: 2 };

/** Whether `role` may do what `needed` may. */
export const atLeast = (role: Role, needed: Role): boolean => rank[role] >= rank[needed];

/**
 * The role a provider's groups give (AUTH_ROLE_MAP, the highest wins), else the default; null
 * when the default is `none` (such users are refused).
 */
export function roleFromGroups(
  groups: readonly string[],
  map: Readonly<Record<string, Role>>,
  fallback: Role | 'none',
): Role | null {
  let best: Role | null = null;
  for (const g of groups) {
    const r = Object.hasOwn(map, g) ? map[g] : undefined;
    if (r && (best === null || rank[r] > rank[best])) best = r;
  }
  return best ?? (fallback === 'none' ? null : fallback);
}
