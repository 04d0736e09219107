import { z } from 'zod';
import { int, list, optional, url } from './env-parsers.js';

// Console sign-in settings (README "Security"), spread into config.ts's schema and checked
// together in `authProblems`.

const roles = ['viewer', 'responder', 'admin'] as const;
const roleMap = z.string().transform((v, ctx) => {
  const map: Record<string, (typeof roles)[number]> = {};
  for (const pair of v
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    const eq = pair.lastIndexOf('=');
    const group = pair.slice(0, eq).trim();
    const role = pair.slice(eq + 1).trim();
    if (eq <= 0 || !(roles as readonly string[]).includes(role)) {
      ctx.addIssue({
        code: 'custom',
        message: `expected group=role pairs (roles: viewer, responder, admin), e.g. sre-admins=admin,sre=responder; not ${JSON.stringify(pair.slice(0, 80))}`,
      });
      return z.NEVER;
    }
    map[group] = role as (typeof roles)[number];
  }
  return map;
});

export const authConfigShape = {
  // oidc: sign in with an OpenID provider; basic: local users; both; proxy: behind an authenticating
  // proxy (oauth2-proxy, an ingress with SSO) that sets X-Forwarded-Email; disabled (or the older
  // name none): open, loopback only unless TARKA_ALLOW_INSECURE=true.
  AUTH_MODE: z.preprocess(
    (v) => (v === 'none' ? 'disabled' : v),
    z
      .enum(['disabled', 'oidc', 'basic', 'both', 'proxy'], {
        message: 'expected oidc, basic, both, proxy or disabled',
      })
      .default('disabled'),
  ),
  AUTH_PUBLIC_BASE_URL: optional(url),
  AUTH_ALLOWED_DOMAINS: list.default([]),
  /** Any standard OpenID provider by its issuer URL (Okta, Entra ID, Keycloak, Dex); Google when unset. */
  OIDC_ISSUER_URL: optional(url),
  OIDC_CLIENT_ID: optional(z.string().min(1)),
  OIDC_CLIENT_SECRET: optional(z.string().min(1)),
  /** What the login page calls the provider ("Sign in with ..."). */
  OIDC_PROVIDER_NAME: optional(z.string().min(1).max(60)),
  OIDC_GROUPS_CLAIM: z.string().min(1).default('groups'),
  GOOGLE_OAUTH_CLIENT_ID: optional(z.string().min(1)),
  GOOGLE_OAUTH_CLIENT_SECRET: optional(z.string().min(1)),
  /** Group (OIDC claim or X-Forwarded-Groups) to role: `sre-admins=admin,sre=responder`; the highest wins. */
  AUTH_ROLE_MAP: roleMap.default({}),
  /** Role of a signed-in OIDC user whom no group maps (`none`: refuse them). */
  AUTH_DEFAULT_ROLE: z
    .enum(['none', 'viewer', 'responder', 'admin'], { message: 'expected none, viewer, responder or admin' })
    .default('viewer'),
  /** Signs the short-lived sign-in cookies (OIDC state, nonce, PKCE verifier). */
  AUTH_SESSION_SECRET: optional(z.string().min(32, { message: 'use at least 32 characters' })),
  AUTH_SESSION_IDLE_MINUTES: int(1, 7 * 24 * 60).default(60),
  AUTH_SESSION_MAX_HOURS: int(1, 30 * 24).default(12),
  /** How often an open live websocket re-checks its session (revoked, expired: it is closed). */
  AUTH_SESSION_CHECK_SECONDS: int(1, 3600).default(15),
  /** Created as an admin on first start when no such user exists (basic and both modes). */
  AUTH_INITIAL_ADMIN_EMAIL: optional(z.email({ message: 'expected an e-mail address' })),
  AUTH_INITIAL_ADMIN_PASSWORD: optional(z.string().min(12, { message: 'use at least 12 characters' })),
  /**
   * Reverse proxies (addresses or CIDRs) whose X-Forwarded-For names the client: without them every
   * request behind an ingress comes from the ingress, and per-address sign-in limits would be one.
   */
  TRUSTED_PROXIES: list.default([]),
  /** When set, /metrics answers only `Authorization: Bearer <METRICS_TOKEN>`. */
  METRICS_TOKEN: optional(z.string().min(16, { message: 'use at least 16 characters' })),
  /** Shared with the auth proxy, which sends it in X-Tarka-Proxy-Secret: identity headers count only with it. */
  AUTH_PROXY_SECRET: optional(z.string().min(16, { message: 'use at least 16 characters' })),
  /** Host names the console and API answer to besides AUTH_PUBLIC_BASE_URL's (and loopback names). */
  AUTH_ALLOWED_HOSTS: list.default([]),
};

export type AuthConfig = z.infer<z.ZodObject<typeof authConfigShape>>;

/** What each AUTH_MODE needs besides its own name (see the README's Security section). */
export function authProblems(c: AuthConfig): string[] {
  const problems: string[] = [];
  const oidc = c.AUTH_MODE === 'oidc' || c.AUTH_MODE === 'both';
  const local = c.AUTH_MODE === 'basic' || c.AUTH_MODE === 'both';
  if ((oidc || local) && c.AUTH_SESSION_SECRET === undefined) {
    problems.push(`AUTH_SESSION_SECRET must be set when AUTH_MODE=${c.AUTH_MODE} (openssl rand -hex 32)`);
  }
  if (oidc) {
    if (c.AUTH_PUBLIC_BASE_URL === undefined) {
      problems.push(
        `AUTH_PUBLIC_BASE_URL must be set when AUTH_MODE=${c.AUTH_MODE}: the provider redirects back to it`,
      );
    }
    const custom = c.OIDC_ISSUER_URL !== undefined || c.OIDC_CLIENT_ID !== undefined;
    if (
      custom &&
      (c.OIDC_ISSUER_URL === undefined ||
        c.OIDC_CLIENT_ID === undefined ||
        c.OIDC_CLIENT_SECRET === undefined)
    ) {
      problems.push('OIDC_ISSUER_URL, OIDC_CLIENT_ID and OIDC_CLIENT_SECRET must be set together');
    } else if (
      !custom &&
      (c.GOOGLE_OAUTH_CLIENT_ID === undefined || c.GOOGLE_OAUTH_CLIENT_SECRET === undefined)
    ) {
      problems.push(
        `AUTH_MODE=${c.AUTH_MODE} needs OIDC_ISSUER_URL, OIDC_CLIENT_ID and OIDC_CLIENT_SECRET, or GOOGLE_OAUTH_CLIENT_ID and GOOGLE_OAUTH_CLIENT_SECRET`,
      );
    } else if (!custom && c.AUTH_ALLOWED_DOMAINS.length === 0) {
      // Any Google account in the world could sign in otherwise.
      problems.push('AUTH_ALLOWED_DOMAINS must be set when signing in with Google');
    }
  }
  if ((c.AUTH_INITIAL_ADMIN_EMAIL === undefined) !== (c.AUTH_INITIAL_ADMIN_PASSWORD === undefined)) {
    problems.push('AUTH_INITIAL_ADMIN_EMAIL and AUTH_INITIAL_ADMIN_PASSWORD must be set together');
  }
  return problems;
}
