import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, secretKeys } from './config.js';

// Credentials for data sources and NATS: secrets from files, conflicts named, nothing printed.

const dir = mkdtempSync(join(tmpdir(), 'tarka-config-secrets-'));
const errorOf = (env: NodeJS.ProcessEnv) => {
  try {
    loadConfig(env);
  } catch (err) {
    return (err as Error).message;
  }
  return '';
};

describe('data-source and NATS credentials in the config', () => {
  it('reads <NAME>_FILE for every secret, without the final newline', () => {
    const file = join(dir, 'token');
    writeFileSync(file, 'tok-from-file\n');
    const c = loadConfig({ LOGS_BEARER_TOKEN_FILE: file, NATS_PASSWORD_FILE: file, NATS_USER: 'u' });
    expect(c.LOGS_BEARER_TOKEN).toBe('tok-from-file');
    expect(c.NATS_PASSWORD).toBe('tok-from-file');
  });

  it('names the variable when a secret file is missing or doubly set', () => {
    expect(errorOf({ PROMETHEUS_BASIC_PASSWORD_FILE: join(dir, 'missing') })).toMatch(
      /PROMETHEUS_BASIC_PASSWORD_FILE=".*missing": cannot read it \(ENOENT\)/,
    );
    const file = join(dir, 'pw');
    writeFileSync(file, 'x');
    expect(errorOf({ NATS_TOKEN: 'a', NATS_TOKEN_FILE: file })).toMatch(
      /NATS_TOKEN_FILE and NATS_TOKEN are both set/,
    );
  });

  it('refuses two ways of authenticating to one source, and half of a pair', () => {
    expect(errorOf({ PROMETHEUS_BEARER_TOKEN: 't', PROMETHEUS_BASIC_USER: 'u' })).toMatch(
      /PROMETHEUS_BEARER_TOKEN and PROMETHEUS_BASIC_USER are both set/,
    );
    expect(errorOf({ LOGS_BASIC_PASSWORD: 'p' })).toMatch(
      /LOGS_BASIC_PASSWORD is set without LOGS_BASIC_USER/,
    );
    expect(errorOf({ NATS_PASSWORD: 'p' })).toMatch(/NATS_PASSWORD is set without NATS_USER/);
    expect(errorOf({ NATS_TLS_CERT_FILE: '/c.pem' })).toMatch(/NATS_TLS_CERT_FILE and NATS_TLS_KEY_FILE/);
  });

  it('parses headers as a JSON object and hides them in errors', () => {
    expect(loadConfig({ LOGS_HEADERS: '{"X-Scope-OrgID":"tenant-a"}' }).LOGS_HEADERS).toEqual({
      'X-Scope-OrgID': 'tenant-a',
    });
    const message = errorOf({ LOGS_HEADERS: '["x"]' });
    expect(message).toMatch(/LOGS_HEADERS=\(hidden\): expected a JSON object/);
    expect(secretKeys).toContain('LOGS_HEADERS');
  });

  it('verifies TLS unless told otherwise', () => {
    const c = loadConfig({});
    expect([
      c.PROMETHEUS_TLS_INSECURE_SKIP_VERIFY,
      c.ALERTMANAGER_TLS_INSECURE_SKIP_VERIFY,
      c.LOGS_TLS_INSECURE_SKIP_VERIFY,
    ]).toEqual([false, false, false]);
  });
});
