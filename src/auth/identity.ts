import { createHash } from 'node:crypto';

/** E-mail as compared everywhere: trimmed, lower case. */
export const normalEmail = (email: string): string => email.trim().toLowerCase();

/**
 * A user's id, derived from the e-mail so that one person is one aggregate (`user.<id>`) whether
 * they sign in with a password or a provider, and a second "add" of an address meets the
 * create guard of the event store. Hex only: safe in NATS subjects.
 */
export const userIdOf = (email: string): string =>
  createHash('sha256').update(normalEmail(email)).digest('hex').slice(0, 32);

export const userAggregate = (userId: string): string => `user.${userId}`;

/** The domain part of an e-mail address, lower case ('' when there is none). */
export function emailDomain(email: string): string {
  const at = email.lastIndexOf('@');
  return at <= 0 ? '' : normalEmail(email.slice(at + 1));
}

/** Whether the address may sign in: its domain is listed, or no list is configured. */
export function domainAllowed(email: string, allowed: readonly string[]): boolean {
  if (allowed.length === 0) return true;
  const d = emailDomain(email);
  return d !== '' && allowed.some((a) => normalEmail(a) === d);
}

const plausibleEmail = /^[^\s@]{1,200}@[^\s@]{1,200}$/;
export const isEmail = (s: string): boolean => plausibleEmail.test(s.trim());
