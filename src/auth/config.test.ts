import { describe, expect, it } from 'vitest';
import { loadConfig } from '../shared/config.js';
import { insecureExposure } from '../http/browser-security.js';

const message = (f: () => unknown): string => {
  try {
    f();
  } catch (e) {
    return (e as Error).message;
  }
  return '';
};
const secret = 'session-secret-0123456789abcdef0123';

describe('sign-in configuration', () => {
  it('keeps accepting AUTH_MODE=none as disabled, and names a wrong mode', () => {
    expect(loadConfig({ AUTH_MODE: 'none' }).AUTH_MODE).toBe('disabled');
    expect(loadConfig({}).AUTH_MODE).toBe('disabled');
    expect(message(() => loadConfig({ AUTH_MODE: 'ldap' }))).toContain(
      'AUTH_MODE="ldap": expected oidc, basic, both, proxy or disabled',
    );
  });

  it('says what each mode is missing', () => {
    expect(message(() => loadConfig({ AUTH_MODE: 'basic' }))).toContain('AUTH_SESSION_SECRET must be set');
    const oidc = message(() => loadConfig({ AUTH_MODE: 'oidc', AUTH_SESSION_SECRET: secret }));
    expect(oidc).toContain('AUTH_PUBLIC_BASE_URL must be set');
    expect(oidc).toContain('GOOGLE_OAUTH_CLIENT_ID');
    const google = {
      AUTH_MODE: 'oidc',
      AUTH_SESSION_SECRET: secret,
      AUTH_PUBLIC_BASE_URL: 'https://tarka.example.com',
      GOOGLE_OAUTH_CLIENT_ID: 'id.apps.googleusercontent.com',
      GOOGLE_OAUTH_CLIENT_SECRET: 'google-client-secret',
    };
    expect(message(() => loadConfig(google))).toContain(
      'AUTH_ALLOWED_DOMAINS must be set when signing in with Google',
    );
    expect(loadConfig({ ...google, AUTH_ALLOWED_DOMAINS: 'example.com' }).AUTH_MODE).toBe('oidc');
    expect(
      message(() =>
        loadConfig({
          ...google,
          AUTH_ALLOWED_DOMAINS: 'example.com',
          OIDC_ISSUER_URL: 'https://idp.example.com',
        }),
      ),
    ).toContain('OIDC_ISSUER_URL, OIDC_CLIENT_ID and OIDC_CLIENT_SECRET must be set together');
    expect(
      message(() =>
        loadConfig({
          AUTH_MODE: 'basic',
          AUTH_SESSION_SECRET: secret,
          AUTH_INITIAL_ADMIN_EMAIL: 'admin@example.com',
        }),
      ),
    ).toContain('AUTH_INITIAL_ADMIN_EMAIL and AUTH_INITIAL_ADMIN_PASSWORD must be set together');
  });

  it('parses the role map and names a bad pair; never prints secrets', () => {
    const c = loadConfig({ AUTH_ROLE_MAP: 'sre-admins=admin, sre = responder' });
    expect(c.AUTH_ROLE_MAP).toEqual({ 'sre-admins': 'admin', sre: 'responder' });
    expect(message(() => loadConfig({ AUTH_ROLE_MAP: 'sre=root' }))).toContain('AUTH_ROLE_MAP=');
    const m = message(() => loadConfig({ AUTH_SESSION_SECRET: 'short-but-secret', METRICS_TOKEN: 'tiny' }));
    expect(m).toContain('AUTH_SESSION_SECRET=(hidden)');
    expect(m).toContain('METRICS_TOKEN=(hidden)');
    expect(m).not.toContain('short-but-secret');
  });

  it('refuses to serve an open console beyond loopback; any sign-in mode is enough', () => {
    const base = { HOST: '0.0.0.0', SERVE_ROUTES: 'console' };
    expect(insecureExposure(loadConfig(base))).toHaveLength(1);
    expect(
      insecureExposure(loadConfig({ ...base, AUTH_MODE: 'basic', AUTH_SESSION_SECRET: secret })),
    ).toEqual([]);
  });
});
