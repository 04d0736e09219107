import { describe, expect, it } from 'vitest';
import { eventStoreContract } from './event-store.contract.js';
import { freshEventStream } from '../../tests/support/jetstream.js';
import { checkServerVersion } from './jetstream-setup.js';

eventStoreContract('JetStream', freshEventStream);

describe('JetStream server check', () => {
  it('refuses a server older than 2.9 with a message that says what to do', () => {
    expect(() => checkServerVersion('2.8.4')).toThrow(/nats-server 2\.8\.4 is too old.*2\.9\.0/);
    expect(() => checkServerVersion('2.9.10')).not.toThrow();
    expect(() => checkServerVersion('2.10.0')).not.toThrow();
  });
});
