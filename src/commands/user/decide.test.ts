import { describe, expect, it } from 'vitest';
import { decideUser, evolveUser, initialUserState, type UserCommand } from './decide.js';

const add: UserCommand = {
  type: 'AddUser',
  userId: 'u1',
  email: 'a@example.test',
  name: null,
  role: 'viewer',
  origin: 'local',
  by: 'admin@example.test',
};
const given = (...commands: UserCommand[]) =>
  commands.reduce((s, c) => decideUser(c, s).reduce(evolveUser, s), initialUserState());

describe('user decider', () => {
  it('adds a user once; a second add is refused', () => {
    const events = decideUser(add, initialUserState());
    expect(events).toEqual([
      { type: 'UserAdded', data: expect.objectContaining({ role: 'viewer', by: 'admin@example.test' }) },
    ]);
    expect(() => decideUser(add, given(add))).toThrow(/already exists/);
  });

  it('changes a role only when it differs, recording the previous one', () => {
    const s = given(add);
    expect(decideUser({ type: 'ChangeRole', role: 'viewer', by: 'x' }, s)).toEqual([]);
    expect(decideUser({ type: 'ChangeRole', role: 'admin', by: 'x' }, s)).toEqual([
      { type: 'UserRoleChanged', data: { userId: 'u1', role: 'admin', previous: 'viewer', by: 'x' } },
    ]);
  });

  it('disables and enables idempotently; commands on nobody are refused', () => {
    const off = given(add, { type: 'DisableUser', by: 'x' });
    expect(off.disabled).toBe(true);
    expect(decideUser({ type: 'DisableUser', by: 'x' }, off)).toEqual([]);
    expect(decideUser({ type: 'EnableUser', by: 'x' }, off)).toHaveLength(1);
    expect(() => decideUser({ type: 'ResetPassword', by: 'x' }, initialUserState())).toThrow(/no such user/);
  });

  it('never carries a password or hash in events', () => {
    const s = given(add);
    const all = [
      ...decideUser(add, initialUserState()),
      ...decideUser({ type: 'ResetPassword', by: 'x' }, s),
    ];
    expect(JSON.stringify(all)).not.toMatch(/password_?hash|argon|\$argon2/i);
  });
});
