import { describe, expect, it } from 'vitest';
import { allowedHosts, hostName, insecureExposure, isLoopback } from '../src/http/browser-security.js';
import { loadConfig } from '../src/shared/config.js';

// Secure by default, decided from the configuration alone (no services needed).

const message = (fn: () => unknown): string => {
  try {
    fn();
  } catch (e) {
    return (e as Error).message;
  }
  return '';
};

describe('placeholder secrets', () => {
  const placeholders = [
    'CHANGE-ME',
    'change-me-openssl-rand-hex-32',
    'changeme123456789',
    'Change_Me_please_now',
    'replace-me-with-a-token',
    'REPLACEME0123456789',
    'a-placeholder-value-here',
    'xxxxxxxxxxxxxxxxxxxx',
  ];

  it('stops start-up on each of them, in every secret variable, without printing the value', () => {
    for (const value of placeholders) {
      for (const name of [
        'WEBHOOK_BEARER_TOKEN',
        'POSTGRES_PASSWORD',
        'S3_SECRET_ACCESS_KEY',
        'AUTH_PROXY_SECRET',
      ]) {
        const env: Record<string, string> = { [name]: value };
        if (name === 'S3_SECRET_ACCESS_KEY') env.S3_ACCESS_KEY_ID = 'AKIAREALKEY';
        const m = message(() => loadConfig(env));
        expect(m, `${name}=${value}`).toContain(`${name}=(hidden): a placeholder`);
        expect(m).not.toContain(value);
      }
    }
  });

  it('accepts real-looking secrets, including ones that merely contain x', () => {
    expect(() =>
      loadConfig({
        WEBHOOK_BEARER_TOKEN: '9f86d081884c7d659a2feaa0c55ad015',
        POSTGRES_PASSWORD: 'xenon-box-xylophone',
        AUTH_MODE: 'proxy',
        AUTH_PROXY_SECRET: 'exchange-mesh-7f3a9c7f3a9c',
      }),
    ).not.toThrow();
  });
});

describe('proxy mode', () => {
  it('refuses AUTH_MODE=proxy without AUTH_PROXY_SECRET, naming the variable', () => {
    const m = message(() => loadConfig({ AUTH_MODE: 'proxy' }));
    expect(m).toContain('AUTH_PROXY_SECRET');
    expect(message(() => loadConfig({ AUTH_MODE: 'proxy', AUTH_PROXY_SECRET: 'short' }))).toContain(
      'AUTH_PROXY_SECRET=(hidden): use at least 16 characters',
    );
  });
});

describe('exposure', () => {
  const cfg = (env: Record<string, string>) =>
    loadConfig({ AUTH_PROXY_SECRET: 'proxy-secret-0123456789', ...env });

  it('needs webhook credentials and console auth beyond loopback, for the routes served', () => {
    expect(insecureExposure(cfg({ HOST: '0.0.0.0' }))).toHaveLength(2);
    expect(insecureExposure(cfg({ HOST: '10.1.2.3', SERVE_ROUTES: 'webhook' }))).toEqual([
      expect.stringContaining('WEBHOOK_BEARER_TOKEN'),
    ]);
    expect(insecureExposure(cfg({ HOST: '::', SERVE_ROUTES: 'console' }))).toEqual([
      expect.stringContaining('AUTH_MODE=proxy'),
    ]);
    const token = { WEBHOOK_BEARER_TOKEN: '9f86d081884c7d659a2feaa0c55ad015' };
    expect(insecureExposure(cfg({ HOST: '0.0.0.0', SERVE_ROUTES: 'webhook', ...token }))).toEqual([]);
    expect(
      insecureExposure(
        cfg({
          HOST: '0.0.0.0',
          WEBHOOK_BASIC_USER: 'am',
          WEBHOOK_BASIC_PASSWORD: 'a-long-pass',
          AUTH_MODE: 'proxy',
        }),
      ),
    ).toEqual([]);
  });

  it('leaves loopback open, and an explicit TARKA_ALLOW_INSECURE=true', () => {
    for (const HOST of ['127.0.0.1', 'localhost', '::1'])
      expect(insecureExposure(cfg({ HOST })), HOST).toEqual([]);
    expect(insecureExposure(cfg({ HOST: '0.0.0.0', TARKA_ALLOW_INSECURE: 'true' }))).toEqual([]);
  });
});

describe('allowed hosts', () => {
  it('reads host names from Host headers', () => {
    expect(hostName('Tarka.Example.com:8443')).toBe('tarka.example.com');
    expect(hostName('[::1]:8080')).toBe('::1');
    expect(hostName('::1')).toBe('::1');
    expect(isLoopback('127.3.2.1:80')).toBe(true);
    expect(isLoopback('localhost.evil.example')).toBe(false);
    expect(isLoopback('127.0.0.1.evil.example')).toBe(false);
  });

  it('are loopback names plus the public URL and AUTH_ALLOWED_HOSTS; unknowable on a bare wildcard', () => {
    const loop = allowedHosts(loadConfig({ HOST: '127.0.0.1' }))!;
    expect(['localhost:8080', '127.0.0.1', '[::1]:1'].every(loop)).toBe(true);
    expect(loop('evil.example')).toBe(false);
    const named = allowedHosts(
      loadConfig({ AUTH_PUBLIC_BASE_URL: 'https://tarka.example.com', AUTH_ALLOWED_HOSTS: 'tarka.lan' }),
    )!;
    expect(['tarka.example.com', 'TARKA.lan:8080', 'localhost'].every(named)).toBe(true);
    expect(named('evil.example')).toBe(false);
    expect(allowedHosts(loadConfig({ HOST: '0.0.0.0' }))).toBeNull();
    expect(allowedHosts(loadConfig({ HOST: '10.0.0.5' }))!('10.0.0.5:8080')).toBe(true);
  });
});
