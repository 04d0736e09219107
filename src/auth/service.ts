import type pg from 'pg';
import type { RequestSource } from '../events/auth-events.js';
import type { EventStore } from '../events/event-store.js';
import { UserCommandHandler } from '../commands/user/handler.js';
import type { Config } from '../shared/config.js';
import { TarkaError } from '../shared/errors.js';
import type { Logger } from '../shared/log.js';
import { ApiTokens } from './api-tokens.js';
import { AuditLog } from './audit-log.js';
import { domainAllowed, isEmail, normalEmail, userIdOf } from './identity.js';
import { LoginLimits, type LoginLimitPolicy } from './login-limits.js';
import { OidcClient, oidcSettings, type OidcIdentity } from './oidc.js';
import { checkPassword, hashPassword, passwordProblem } from './passwords.js';
import { roleFromGroups, type Role } from './roles.js';
import { secretHash, SessionStore } from './sessions.js';
import { createHash } from 'node:crypto';

/** Someone signed in: what a session and the audit trail say about them. */
export interface SignedInUser {
  userId: string;
  email: string;
  role: Role;
}

// What the audit trail keys a failed sign-in by when it names nobody: a hash, never the raw text.
const subjectOf = (s: string) => `x${createHash('sha256').update(s).digest('hex').slice(0, 31)}`;

const refused = () =>
  new TarkaError('TARKA_SIGN_IN_FAILED', 'wrong e-mail or password', 'check both and try again');

/**
 * Sign-in, sessions, users and tokens: the one place that decides who someone is. Routes, the
 * CLI and start-up call it; it appends user and audit events and keeps the operational tables.
 */
export class AuthService {
  readonly sessions: SessionStore;
  readonly tokens: ApiTokens;
  readonly users: UserCommandHandler;
  readonly audit: AuditLog;
  readonly limits: LoginLimits;
  readonly oidc: OidcClient | null;
  readonly providerName: string | null;
  /** Called with a user id whose sessions just ended, so this process closes their websockets now. */
  onRevoked: (userId: string) => void = () => undefined;
  /** Ends what the service's owner opened for it (the console scope: its pool and timers). */
  close: () => Promise<void> = async () => undefined;

  constructor(
    readonly config: Config,
    private readonly pool: pg.Pool,
    store: EventStore,
    private readonly log: Logger,
    limits?: LoginLimitPolicy,
  ) {
    this.sessions = new SessionStore(pool, {
      idleMinutes: config.AUTH_SESSION_IDLE_MINUTES,
      maxHours: config.AUTH_SESSION_MAX_HOURS,
    });
    this.tokens = new ApiTokens(pool);
    this.users = new UserCommandHandler(store);
    this.audit = new AuditLog(store, log);
    this.limits = new LoginLimits(pool, limits);
    const oidc = oidcSettings(config);
    this.providerName = oidc?.name ?? null;
    this.oidc =
      oidc && config.AUTH_PUBLIC_BASE_URL
        ? new OidcClient(
            oidc,
            new URL('/auth/oidc/callback', config.AUTH_PUBLIC_BASE_URL).href,
            config.OIDC_GROUPS_CLAIM,
          )
        : null;
  }

  get passwords(): boolean {
    return this.config.AUTH_MODE === 'basic' || this.config.AUTH_MODE === 'both';
  }

  /** Records an audit event; a failure to record is logged, never a reason to fail the request. */
  private async audited(subject: string, event: Parameters<AuditLog['record']>[1]): Promise<void> {
    await this.audit
      .record(subject, event)
      .catch((e: unknown) => this.log.error({ err: e, type: event.type }, 'audit append failed'));
  }

  /** E-mail and password: the same answer for an unknown e-mail, a wrong password and a disabled user. */
  async signInWithPassword(
    emailIn: string,
    password: string,
    source: RequestSource,
  ): Promise<SignedInUser & { token: string }> {
    const email = normalEmail(String(emailIn)).slice(0, 320);
    const ip = source.ip ?? 'unknown';
    const wait = await this.limits.lockedFor(email, ip);
    if (wait > 0) {
      // Not audited each time: the failures that caused the lock were, and a flood of attempts
      // on a locked key must not become a flood of events.
      const e = new TarkaError(
        'TARKA_SIGN_IN_LIMITED',
        'too many failed sign-ins; try again later',
        `wait ${wait} s`,
      );
      (e as TarkaError & { retryAfter?: number }).retryAfter = wait;
      throw e;
    }
    const { rows } = await this.pool.query<{ user_id: string; password_hash: string }>(
      'SELECT user_id, password_hash FROM auth_credentials WHERE email = $1',
      [email],
    );
    const row = rows[0];
    const ok = await checkPassword(row?.password_hash ?? null, String(password));
    const user = ok && row ? (await this.users.load(row.user_id)).state : null;
    if (!ok || !user?.exists || user.disabled || !user.role) {
      await this.limits.failed(email, ip);
      await this.audited(row ? row.user_id : subjectOf(email), {
        type: 'SignInFailed',
        data: { email, method: 'password', reason: user?.disabled ? 'disabled' : 'bad_credentials', source },
      });
      throw refused();
    }
    await this.limits.succeeded(email);
    const who = { userId: row!.user_id, email, role: user.role };
    const token = await this.sessions.create(who, source);
    await this.audited(who.userId, { type: 'SignedIn', data: { ...who, method: 'password', source } });
    return { ...who, token };
  }

  /**
   * After the provider vouched for someone: e-mail present, verified and in an allowed domain; a
   * role from their groups (re-checked now, so a change at the provider applies at next sign-in).
   */
  async signInWithOidc(id: OidcIdentity, source: RequestSource): Promise<SignedInUser & { token: string }> {
    const email = normalEmail(id.email).slice(0, 320);
    const fail = async (reason: 'domain' | 'unverified_email' | 'no_role' | 'disabled') => {
      await this.audited(email ? userIdOf(email) : subjectOf(id.subject), {
        type: 'SignInFailed',
        data: { email: email || null, method: 'oidc', reason, source },
      });
      return new TarkaError(
        reason === 'disabled' || reason === 'no_role' ? 'TARKA_FORBIDDEN' : 'TARKA_SIGN_IN_FAILED',
        reason === 'domain'
          ? 'this account may not sign in here'
          : reason === 'unverified_email'
            ? 'the provider did not confirm an e-mail address for this account'
            : 'this account may not use Tarka',
        'ask an admin of Tarka',
      );
    };
    if (!isEmail(email)) throw await fail('unverified_email');
    if (!id.emailVerified) throw await fail('unverified_email');
    if (!domainAllowed(email, this.config.AUTH_ALLOWED_DOMAINS)) throw await fail('domain');
    const role = roleFromGroups(id.groups, this.config.AUTH_ROLE_MAP, this.config.AUTH_DEFAULT_ROLE);
    if (!role) throw await fail('no_role');
    const userId = userIdOf(email);
    const { state } = await this.users.load(userId);
    if (state.disabled) throw await fail('disabled');
    if (!state.exists) {
      await this.users
        .handle(userId, {
          type: 'AddUser',
          userId,
          email,
          name: id.name,
          role,
          origin: 'oidc',
          by: 'oidc',
          source,
        })
        .catch((e: unknown) => {
          // Two first sign-ins at once: the other created it; the role is set below.
          if (!(e instanceof TarkaError && e.code === 'TARKA_USER_EXISTS')) throw e;
        });
    }
    // Groups at the provider decide the role of provider users; a local user keeps an admin's choice.
    if (state.origin !== 'local')
      await this.users.handle(userId, { type: 'ChangeRole', role, by: 'oidc', source });
    const final = state.origin === 'local' && state.role ? state.role : role;
    const who = { userId, email, role: final };
    const token = await this.sessions.create(who, source);
    await this.audited(userId, { type: 'SignedIn', data: { ...who, method: 'oidc', source } });
    return { ...who, token };
  }

  async recordProviderFailure(source: RequestSource): Promise<void> {
    await this.audited(subjectOf(source.ip ?? 'unknown'), {
      type: 'SignInFailed',
      data: { email: null, method: 'oidc', reason: 'provider', source },
    });
  }

  async signOut(
    user: SignedInUser,
    sessionToken: Buffer,
    everywhere: boolean,
    source: RequestSource,
  ): Promise<void> {
    const sessions = everywhere
      ? await this.sessions.revokeUser(user.userId)
      : await this.sessions.revoke(sessionToken);
    if (everywhere) this.onRevoked(user.userId);
    await this.audited(user.userId, {
      type: 'SignedOut',
      data: { userId: user.userId, email: user.email, everywhere, sessions, source },
    });
  }

  /** Adds a local user with a password (CLI, console admin, initial admin). */
  async addUser(input: {
    email: string;
    password: string | null;
    role: Role;
    name?: string | null;
    by: string;
    source?: RequestSource;
  }): Promise<string> {
    const email = normalEmail(input.email);
    if (!isEmail(email)) throw new TarkaError('TARKA_BAD_REQUEST', 'expected an e-mail address');
    if (input.password !== null) {
      const problem = passwordProblem(input.password);
      if (problem) throw new TarkaError('TARKA_BAD_REQUEST', `password: ${problem}`);
    }
    const userId = userIdOf(email);
    // The hash first: a user whose event exists can always sign in; a hash without a user cannot.
    if (input.password !== null) await this.storeHash(userId, email, input.password);
    await this.users.handle(userId, {
      type: 'AddUser',
      userId,
      email,
      name: input.name ?? null,
      role: input.role,
      origin: 'local',
      by: input.by,
      ...(input.source ? { source: input.source } : {}),
    });
    return userId;
  }

  private async storeHash(userId: string, email: string, password: string): Promise<void> {
    await this.pool.query(
      `INSERT INTO auth_credentials (user_id, email, password_hash) VALUES ($1, $2, $3)
       ON CONFLICT (user_id) DO UPDATE SET password_hash = EXCLUDED.password_hash, updated_at = now()`,
      [userId, email, await hashPassword(password)],
    );
  }

  async resetPassword(userId: string, password: string, by: string, source?: RequestSource): Promise<void> {
    const problem = passwordProblem(password);
    if (problem) throw new TarkaError('TARKA_BAD_REQUEST', `password: ${problem}`);
    const { state } = await this.users.load(userId);
    if (!state.exists) throw new TarkaError('TARKA_NOT_FOUND', 'no such user');
    await this.storeHash(userId, state.email!, password);
    await this.users.handle(userId, { type: 'ResetPassword', by, ...(source ? { source } : {}) });
    await this.revokeAll(userId, state.email!, 'password_reset', by, source);
  }

  async setDisabled(userId: string, disabled: boolean, by: string, source?: RequestSource): Promise<void> {
    const { state } = await this.users.handle(userId, {
      type: disabled ? 'DisableUser' : 'EnableUser',
      by,
      ...(source ? { source } : {}),
    });
    if (disabled) await this.revokeAll(userId, state.email!, 'disabled', by, source);
  }

  async changeRole(userId: string, role: Role, by: string, source?: RequestSource): Promise<void> {
    await this.users.handle(userId, { type: 'ChangeRole', role, by, ...(source ? { source } : {}) });
    await this.sessions.setRole(userId, role);
  }

  private async revokeAll(
    userId: string,
    email: string,
    reason: 'disabled' | 'password_reset' | 'admin',
    by: string,
    source?: RequestSource,
  ) {
    const sessions = await this.sessions.revokeUser(userId);
    this.onRevoked(userId);
    await this.audited(userId, {
      type: 'SessionRevoked',
      data: { userId, email, sessions, reason, by, source: source ?? null },
    });
  }

  async createToken(input: { name: string; role: Role; days: number; by: string; source?: RequestSource }) {
    const t = await this.tokens.create(input);
    await this.audited(userIdOf(input.by), {
      type: 'TokenCreated',
      data: {
        tokenId: t.id,
        name: input.name,
        role: input.role,
        expiresAt: t.expiresAt,
        by: input.by,
        source: input.source ?? null,
      },
    });
    return t;
  }

  async revokeToken(id: string, by: string, source?: RequestSource): Promise<boolean> {
    const done = await this.tokens.revoke(id);
    if (done)
      await this.audited(userIdOf(by), {
        type: 'TokenRevoked',
        data: { tokenId: id, by, source: source ?? null },
      });
    return done;
  }

  /** First start with AUTH_INITIAL_ADMIN_*: that admin is created unless a user by that e-mail exists. */
  async ensureInitialAdmin(): Promise<boolean> {
    const { AUTH_INITIAL_ADMIN_EMAIL: email, AUTH_INITIAL_ADMIN_PASSWORD: password } = this.config;
    if (!email || !password || !this.passwords) return false;
    const { state } = await this.users.load(userIdOf(email));
    if (state.exists) return false;
    try {
      await this.addUser({ email, password, role: 'admin', by: 'initial-admin' });
      this.log.info({ email: normalEmail(email) }, 'initial admin created');
      return true;
    } catch (e) {
      if (e instanceof TarkaError && e.code === 'TARKA_USER_EXISTS') return false;
      throw e;
    }
  }
}

export { secretHash };
