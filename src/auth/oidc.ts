import type * as OpenId from 'openid-client';

// Loaded on first use: only AUTH_MODE oidc and both sign in through a provider.
const openId = () => import('openid-client');
import type { Config } from '../shared/config.js';
import { TarkaError } from '../shared/errors.js';

export const GOOGLE_ISSUER = 'https://accounts.google.com';

/** The provider Tarka signs in with: a custom issuer when OIDC_* are set, else Google. */
export function oidcSettings(
  config: Config,
): { issuer: string; clientId: string; clientSecret: string; name: string } | null {
  if (config.AUTH_MODE !== 'oidc' && config.AUTH_MODE !== 'both') return null;
  if (config.OIDC_ISSUER_URL && config.OIDC_CLIENT_ID && config.OIDC_CLIENT_SECRET) {
    return {
      issuer: config.OIDC_ISSUER_URL,
      clientId: config.OIDC_CLIENT_ID,
      clientSecret: config.OIDC_CLIENT_SECRET,
      name: config.OIDC_PROVIDER_NAME ?? 'single sign-on',
    };
  }
  if (config.GOOGLE_OAUTH_CLIENT_ID && config.GOOGLE_OAUTH_CLIENT_SECRET) {
    return {
      issuer: GOOGLE_ISSUER,
      clientId: config.GOOGLE_OAUTH_CLIENT_ID,
      clientSecret: config.GOOGLE_OAUTH_CLIENT_SECRET,
      name: config.OIDC_PROVIDER_NAME ?? 'Google',
    };
  }
  return null;
}

/** What the browser must bring back to the callback (kept in a signed, short-lived cookie). */
export interface PendingSignIn {
  state: string;
  nonce: string;
  verifier: string;
  next: string;
}

export interface OidcIdentity {
  subject: string;
  email: string;
  emailVerified: boolean;
  name: string | null;
  groups: string[];
}

/**
 * The relying party, with openid-client (certified): discovery, authorization code with PKCE
 * (S256), state and nonce; the ID token's signature is checked against the issuer's published
 * keys, and its issuer, audience, expiry and nonce by the library.
 */
export class OidcClient {
  private configuration: Promise<OpenId.Configuration> | undefined;

  constructor(
    private readonly settings: { issuer: string; clientId: string; clientSecret: string },
    private readonly redirectUri: string,
    private readonly groupsClaim: string,
  ) {}

  private discovered(): Promise<OpenId.Configuration> {
    // Discovered on first use, and again after a failure (the provider may have been down).
    this.configuration ??= openId()
      .then((client) =>
        client.discovery(
          new URL(this.settings.issuer),
          this.settings.clientId,
          { client_secret: this.settings.clientSecret, redirect_uris: [this.redirectUri] },
          client.ClientSecretPost(this.settings.clientSecret),
          // Plain http only for a provider on this machine (tests, a local Dex).
          isLoopbackHttp(this.settings.issuer) ? { execute: [client.allowInsecureRequests] } : undefined,
        ),
      )
      .catch((e: unknown) => {
        this.configuration = undefined;
        throw new TarkaError(
          'TARKA_DEPENDENCY_DOWN',
          `the OpenID provider did not answer discovery: ${(e as Error).message}`,
          'retry shortly',
          { cause: e },
        );
      });
    return this.configuration;
  }

  async start(next: string): Promise<{ url: string; pending: PendingSignIn }> {
    const config = await this.discovered();
    const client = await openId();
    const verifier = client.randomPKCECodeVerifier();
    const pending: PendingSignIn = {
      state: client.randomState(),
      nonce: client.randomNonce(),
      verifier,
      next,
    };
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: this.redirectUri,
      scope: 'openid email profile',
      response_type: 'code',
      code_challenge: await client.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state: pending.state,
      nonce: pending.nonce,
    });
    return { url: url.href, pending };
  }

  /** Exchanges the code the provider sent back, checking state, nonce, PKCE and the ID token. */
  async finish(callbackUrl: URL, pending: PendingSignIn): Promise<OidcIdentity> {
    const config = await this.discovered();
    const client = await openId();
    const tokens = await client.authorizationCodeGrant(config, callbackUrl, {
      pkceCodeVerifier: pending.verifier,
      expectedState: pending.state,
      expectedNonce: pending.nonce,
      idTokenExpected: true,
    });
    const claims = tokens.claims();
    if (!claims) throw new Error('no ID token');
    const groups = claims[this.groupsClaim];
    return {
      subject: claims.sub,
      email: typeof claims.email === 'string' ? claims.email : '',
      emailVerified: claims.email_verified === true,
      name: typeof claims.name === 'string' ? claims.name.slice(0, 200) : null,
      groups: Array.isArray(groups) ? groups.filter((g): g is string => typeof g === 'string') : [],
    };
  }
}

function isLoopbackHttp(issuer: string): boolean {
  const u = new URL(issuer);
  return (
    u.protocol === 'http:' &&
    (u.hostname === '127.0.0.1' || u.hostname === 'localhost' || u.hostname === '[::1]')
  );
}
