import type { RequestSource, Role, UserEvent } from '../../events/auth-events.js';
import { TarkaError } from '../../shared/errors.js';

// The user aggregate (`user.<userId>`): who exists, their role, whether they may sign in. Pure:
// no I/O. Password hashes are not state here (they live in auth_credentials).

export interface UserState {
  exists: boolean;
  userId: string | null;
  email: string | null;
  role: Role | null;
  disabled: boolean;
  origin: 'local' | 'oidc' | null;
}

export const initialUserState = (): UserState => ({
  exists: false,
  userId: null,
  email: null,
  role: null,
  disabled: false,
  origin: null,
});

export function evolveUser(state: UserState, event: UserEvent): UserState {
  switch (event.type) {
    case 'UserAdded':
      return {
        exists: true,
        userId: event.data.userId,
        email: event.data.email,
        role: event.data.role,
        disabled: false,
        origin: event.data.origin,
      };
    case 'UserRoleChanged':
      return { ...state, role: event.data.role };
    case 'UserDisabled':
      return { ...state, disabled: true };
    case 'UserEnabled':
      return { ...state, disabled: false };
    case 'UserPasswordReset':
      return state;
  }
}

type Common = { by: string; source?: RequestSource };
export type UserCommand =
  | ({
      type: 'AddUser';
      userId: string;
      email: string;
      name: string | null;
      role: Role;
      origin: 'local' | 'oidc';
    } & Common)
  | ({ type: 'ChangeRole'; role: Role } & Common)
  | ({ type: 'DisableUser' } & Common)
  | ({ type: 'EnableUser' } & Common)
  | ({ type: 'ResetPassword' } & Common);

const withSource = (c: Common) => ({ by: c.by, ...(c.source ? { source: c.source } : {}) });

function requireUser(state: UserState): asserts state is UserState & { userId: string; role: Role } {
  if (!state.exists)
    throw new TarkaError('TARKA_NOT_FOUND', 'no such user', 'list users with `tarka users list`');
}

/** What a command on a user means; [] when it is already so. */
export function decideUser(command: UserCommand, state: UserState): UserEvent[] {
  switch (command.type) {
    case 'AddUser':
      if (state.exists) throw new TarkaError('TARKA_USER_EXISTS', `a user ${command.email} already exists`);
      return [
        {
          type: 'UserAdded',
          data: {
            userId: command.userId,
            email: command.email,
            name: command.name,
            role: command.role,
            origin: command.origin,
            ...withSource(command),
          },
        },
      ];
    case 'ChangeRole':
      requireUser(state);
      if (state.role === command.role) return [];
      return [
        {
          type: 'UserRoleChanged',
          data: { userId: state.userId, role: command.role, previous: state.role, ...withSource(command) },
        },
      ];
    case 'DisableUser':
      requireUser(state);
      return state.disabled
        ? []
        : [{ type: 'UserDisabled', data: { userId: state.userId, ...withSource(command) } }];
    case 'EnableUser':
      requireUser(state);
      return state.disabled
        ? [{ type: 'UserEnabled', data: { userId: state.userId, ...withSource(command) } }]
        : [];
    case 'ResetPassword':
      requireUser(state);
      return [{ type: 'UserPasswordReset', data: { userId: state.userId, ...withSource(command) } }];
  }
}
