import { describe, expect, it } from 'vitest';
import { Writable } from 'node:stream';
import { createLogger } from './log.js';

// What reaches the log never holds a credential, whichever way it was handed to the logger.

function capture() {
  let text = '';
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      text += chunk.toString();
      done();
    },
  });
  return { log: createLogger('info', 'test', sink), text: () => text };
}

describe('createLogger', () => {
  it('scrubs URL credentials from messages and errors, and redacts auth fields', () => {
    const { log, text } = capture();
    log.info(`querying http://u:pw-SECRET@prom:9090/?api_key=key-SECRET`);
    log.error(
      { err: new Error('connect failed for nats://u:pw-SECRET@n1:4222') },
      'NATS down at nats://tok-SECRET@n1:4222',
    );
    log.warn({
      headers: { authorization: 'Bearer tok-SECRET' },
      source: { password: 'pw-SECRET', token: 'tok-SECRET', PROMETHEUS_BEARER_TOKEN: 'tok-SECRET' },
      NATS_PASSWORD: 'pw-SECRET',
    });
    const out = text();
    expect(out).toContain('querying http://prom:9090/?api_key=hidden');
    expect(out).toContain('connect failed for nats://n1:4222');
    expect(out).toContain('[redacted]');
    expect(out).not.toContain('SECRET');
  });
});
