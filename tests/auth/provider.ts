import type { Server } from 'node:http';
import Provider from 'oidc-provider';
import { freePort } from '../../src/testkit/processes.js';

export interface TestAccount {
  email?: string;
  email_verified?: boolean;
  name?: string;
  groups?: string[];
}

/**
 * A real OpenID provider (panva's oidc-provider) on loopback, with its own login and consent
 * pages (dev interactions: any password), one confidential client, PKCE required. `accounts` may
 * be changed between sign-ins (a group removed at the provider).
 */
export async function startProvider(redirectUri: string, accounts: Record<string, TestAccount>) {
  const port = await freePort();
  const issuer = `http://127.0.0.1:${port}`;
  const client = { id: 'tarka-console', secret: 'provider-client-secret-0123456789' };
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: client.id,
        client_secret: client.secret,
        redirect_uris: [redirectUri],
        grant_types: ['authorization_code'],
        response_types: ['code'],
        token_endpoint_auth_method: 'client_secret_post',
      },
    ],
    pkce: { required: () => true },
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name', 'groups'] },
    // Scope claims in the ID token, which is what Tarka reads (as Google and most IdPs do).
    conformIdTokenClaims: false,
    findAccount: async (_ctx, id) => ({
      accountId: id,
      claims: async () => ({ sub: id, ...(accounts[id] ?? {}) }),
    }),
    cookies: { keys: ['provider-cookie-key-0123456789'] },
    features: { devInteractions: { enabled: true } },
  });
  const server: Server = provider.listen(port, '127.0.0.1');
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  return {
    issuer,
    client,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        // Tarka's keep-alive connections to the token endpoint would hold close() open.
        server.closeAllConnections();
      }),
  };
}
