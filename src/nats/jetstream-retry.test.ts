import { describe, expect, it } from 'vitest';
import { isTransientJetStreamError } from './jetstream-retry.js';

describe('isTransientJetStreamError', () => {
  it('waits out timeouts, missing responders and leader elections', () => {
    expect(isTransientJetStreamError({ code: 'TIMEOUT' })).toBe(true);
    expect(isTransientJetStreamError({ code: '503' })).toBe(true);
    expect(isTransientJetStreamError({ api_error: { code: 503, err_code: 10008 } })).toBe(true);
  });

  it('gives up at once on a real refusal', () => {
    expect(isTransientJetStreamError({ api_error: { code: 400, err_code: 10058 } })).toBe(false);
    expect(isTransientJetStreamError({ code: '404' })).toBe(false);
    expect(isTransientJetStreamError(new Error('stream config mismatch'))).toBe(false);
  });
});
