import type { Recorded } from '../../events/envelope.js';
import type { UserRow } from './schema.js';

/** The row after one event of a user aggregate (pure); null when the event is not about users. */
export function evolveUserRow(row: UserRow | null, e: Recorded): UserRow | null {
  const at = { updated_at: e.occurredAt, last_seq: e.seq, last_index: e.index };
  switch (e.type) {
    case 'UserAdded':
      return {
        user_id: e.data.userId,
        email: e.data.email,
        name: e.data.name,
        role: e.data.role,
        origin: e.data.origin,
        disabled: false,
        created_at: e.occurredAt,
        ...at,
      };
    case 'UserRoleChanged':
      return row && { ...row, role: e.data.role, ...at };
    case 'UserDisabled':
      return row && { ...row, disabled: true, ...at };
    case 'UserEnabled':
      return row && { ...row, disabled: false, ...at };
    case 'UserPasswordReset':
      return row && { ...row, ...at };
    default:
      return null;
  }
}
