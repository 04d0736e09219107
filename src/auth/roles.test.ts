import { describe, expect, it } from 'vitest';
import { atLeast, roleFromGroups } from './roles.js';
import { domainAllowed, userIdOf } from './identity.js';

describe('roles', () => {
  it('maps groups to the highest role, else the default; none refuses', () => {
    const map = { 'sre-admins': 'admin', sre: 'responder' } as const;
    expect(roleFromGroups(['sre', 'sre-admins'], map, 'viewer')).toBe('admin');
    expect(roleFromGroups(['sre'], map, 'viewer')).toBe('responder');
    expect(roleFromGroups(['constructor', '__proto__'], map, 'viewer')).toBe('viewer');
    expect(roleFromGroups([], map, 'none')).toBeNull();
  });

  it('orders viewer < responder < admin', () => {
    expect(atLeast('admin', 'responder')).toBe(true);
    expect(atLeast('viewer', 'responder')).toBe(false);
    expect(atLeast('responder', 'responder')).toBe(true);
  });

  it('matches e-mail domains exactly, case-insensitively', () => {
    expect(domainAllowed('a@Example.test', ['example.test'])).toBe(true);
    expect(domainAllowed('a@evil-example.test', ['example.test'])).toBe(false);
    expect(domainAllowed('a@example.test.evil', ['example.test'])).toBe(false);
    expect(domainAllowed('a@sub.example.test', ['example.test'])).toBe(false);
    expect(domainAllowed('noat', ['example.test'])).toBe(false);
    expect(domainAllowed('x@any.test', [])).toBe(true);
  });

  it('gives one user id per e-mail, whatever its case', () => {
    expect(userIdOf(' Alice@Example.test ')).toBe(userIdOf('alice@example.test'));
    expect(userIdOf('alice@example.test')).toMatch(/^[0-9a-f]{32}$/);
  });
});
