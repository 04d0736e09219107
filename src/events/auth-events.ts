import { z } from 'zod';

// Users (aggregate `user.<userId>`) and the sign-in audit trail (aggregate
// `audit.<userId or subject>-<YYYYMMDD>`, one per person and day so appends rarely contend).
// No password hash, session token or API token ever goes into an event: those live in the
// migration-owned tables auth_credentials, auth_sessions and auth_api_tokens.

export const ROLES = ['viewer', 'responder', 'admin'] as const;
export type Role = (typeof ROLES)[number];
const role = z.enum(ROLES);

/** Where a request came from, as the server saw it (client address, User-Agent, both bounded). */
export const requestSourceSchema = z.object({
  ip: z.string().max(64).nullable(),
  userAgent: z.string().max(512).nullable(),
});
export type RequestSource = z.infer<typeof requestSourceSchema>;

const by = z.string().max(320);
const email = z.string().max(320);

export const userAddedV1 = z.object({
  userId: z.string(),
  email,
  name: z.string().max(200).nullable(),
  role,
  /** local: a password user (basic); oidc: first signed in through the OpenID provider. */
  origin: z.enum(['local', 'oidc']),
  by,
  source: requestSourceSchema.optional(),
});
export const userRoleChangedV1 = z.object({
  userId: z.string(),
  role,
  previous: role,
  by,
  source: requestSourceSchema.optional(),
});
export const userDisabledV1 = z.object({ userId: z.string(), by, source: requestSourceSchema.optional() });
export const userEnabledV1 = userDisabledV1;
export const userPasswordResetV1 = userDisabledV1;

const method = z.enum(['password', 'oidc']);
export const signedInV1 = z.object({
  userId: z.string(),
  email,
  method,
  role,
  source: requestSourceSchema,
});
export const signInFailedV1 = z.object({
  /** As typed or as the provider said it, bounded; may name nobody known. */
  email: email.nullable(),
  method,
  reason: z.enum([
    'bad_credentials',
    'locked',
    'disabled',
    'domain',
    'unverified_email',
    'no_role',
    'provider',
  ]),
  source: requestSourceSchema,
});
export const signedOutV1 = z.object({
  userId: z.string(),
  email,
  everywhere: z.boolean(),
  sessions: z.number().int().nonnegative(),
  source: requestSourceSchema,
});
export const sessionRevokedV1 = z.object({
  userId: z.string(),
  email,
  sessions: z.number().int().nonnegative(),
  reason: z.enum(['disabled', 'password_reset', 'admin']),
  by,
  source: requestSourceSchema.nullable(),
});
export const tokenCreatedV1 = z.object({
  tokenId: z.string(),
  name: z.string().max(100),
  role,
  expiresAt: z.iso.datetime({ offset: true }),
  by,
  source: requestSourceSchema.nullable(),
});
export const tokenRevokedV1 = z.object({
  tokenId: z.string(),
  by,
  source: requestSourceSchema.nullable(),
});

export const authEventSchemas = {
  UserAdded: userAddedV1,
  UserRoleChanged: userRoleChangedV1,
  UserDisabled: userDisabledV1,
  UserEnabled: userEnabledV1,
  UserPasswordReset: userPasswordResetV1,
  SignedIn: signedInV1,
  SignInFailed: signInFailedV1,
  SignedOut: signedOutV1,
  SessionRevoked: sessionRevokedV1,
  TokenCreated: tokenCreatedV1,
  TokenRevoked: tokenRevokedV1,
} as const;

export type AuthEventType = keyof typeof authEventSchemas;

export const authEventVersions: Record<AuthEventType, number> = {
  UserAdded: 1,
  UserRoleChanged: 1,
  UserDisabled: 1,
  UserEnabled: 1,
  UserPasswordReset: 1,
  SignedIn: 1,
  SignInFailed: 1,
  SignedOut: 1,
  SessionRevoked: 1,
  TokenCreated: 1,
  TokenRevoked: 1,
};

export type AuthEvent = {
  [K in AuthEventType]: { type: K; data: z.infer<(typeof authEventSchemas)[K]> };
}[AuthEventType];
export type AuthEventOf<K extends AuthEventType> = Extract<AuthEvent, { type: K }>;

export const userEventTypes = [
  'UserAdded',
  'UserRoleChanged',
  'UserDisabled',
  'UserEnabled',
  'UserPasswordReset',
] as const satisfies AuthEventType[];
export type UserEvent = Extract<AuthEvent, { type: (typeof userEventTypes)[number] }>;

export function isAuthEventType(t: string): t is AuthEventType {
  return Object.hasOwn(authEventSchemas, t);
}
