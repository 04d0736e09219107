import { describe, expect, it } from 'vitest';
import { loadConfig } from '../shared/config.js';
import { natsConnectOptions, natsSettings, natsSettingsFromUrl, shownServers } from './nats-options.js';

describe('NATS settings', () => {
  it('takes user:pass@ out of every server URL', () => {
    const s = natsSettingsFromUrl('nats://u:p%2Cw@n1:4222,nats://u:p%2Cw@n2:4222');
    expect(s).toEqual({ servers: ['nats://n1:4222', 'nats://n2:4222'], user: 'u', pass: 'p,w' });
    expect(shownServers(s)).toBe('nats://n1:4222,nats://n2:4222');
  });

  it('reads a lone userinfo as a token, and tls:// as a demand for TLS', () => {
    expect(natsSettingsFromUrl('tls://tok@n1:4222')).toEqual({
      servers: ['tls://n1:4222'],
      token: 'tok',
      tls: {},
    });
  });

  it('explicit variables win over the URL', () => {
    const s = natsSettings(
      loadConfig({
        NATS_URL: 'nats://tok@n1:4222',
        NATS_USER: 'svc',
        NATS_PASSWORD: 'pw',
        NATS_TLS_CA_FILE: '/ca.pem',
      }),
    );
    expect(s).toEqual({ servers: ['nats://n1:4222'], user: 'svc', pass: 'pw', tls: { caFile: '/ca.pem' } });
    expect(natsConnectOptions(s)).toEqual({
      servers: ['nats://n1:4222'],
      user: 'svc',
      pass: 'pw',
      tls: { caFile: '/ca.pem' },
    });
  });
});
