import { describe, expect, it } from 'vitest';
import { loadConfig } from './config.js';

describe('configuration', () => {
  it('starts with embedded defaults from an empty environment', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({
      PORT: 8080,
      TARKA_DATA_DIR: './.tarka',
      JETSTREAM_STREAM: 'TARKA',
      JETSTREAM_SUBJECT: 'tarka.alerts',
    });
    expect(c.WEBHOOK_BODY_LIMIT_BYTES).toBeGreaterThanOrEqual(5 * 1024 * 1024);
  });

  it('names every wrong variable and what it expects', () => {
    expect(() =>
      loadConfig({
        PORT: '80a',
        PROMETHEUS_URL: 'prometheus:9090',
        WORKER_CONCURRENCY: '0',
        JETSTREAM_SUBJECT: 'a.>',
      }),
    ).toThrow(
      /PORT="80a": expected a whole number[\s\S]*PROMETHEUS_URL="prometheus:9090": expected an http\(s\) URL[\s\S]*JETSTREAM_SUBJECT[\s\S]*WORKER_CONCURRENCY="0": expected at least 1/,
    );
  });

  it('never prints a secret value, even when it is the wrong one', () => {
    try {
      loadConfig({ WEBHOOK_BEARER_TOKEN: 'short-secret' });
      expect.fail('should have thrown');
    } catch (e) {
      expect(String((e as Error).message)).toContain('WEBHOOK_BEARER_TOKEN=(hidden)');
      expect(String((e as Error).message)).not.toContain('short-secret');
    }
  });

  it('requires paired credentials together', () => {
    expect(() => loadConfig({ WEBHOOK_BASIC_USER: 'am' })).toThrow(
      /WEBHOOK_BASIC_USER and WEBHOOK_BASIC_PASSWORD/,
    );
  });
});
