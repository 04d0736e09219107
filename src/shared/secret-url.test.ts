import { describe, expect, it } from 'vitest';
import { scrubSecrets, splitUrl, withoutUserinfo } from './secret-url.js';

describe('splitUrl', () => {
  it('separates userinfo and hides secret query values in the shown form', () => {
    expect(splitUrl('http://user:pa%3Ass@prom:9090/x/?api_key=k1&step=30')).toEqual({
      url: 'http://prom:9090/x/?api_key=k1&step=30',
      shown: 'http://prom:9090/x?api_key=hidden&step=30',
      username: 'user',
      password: 'pa:ss',
    });
  });

  it('keeps a malformed escape in a password as written', () => {
    expect(splitUrl('http://u:a%zz@h').password).toBe('a%zz');
  });

  it('works for NATS URLs, including a lone token', () => {
    expect(splitUrl('nats://tok@n1:4222')).toEqual({
      url: 'nats://n1:4222',
      shown: 'nats://n1:4222',
      username: 'tok',
    });
  });

  it('scrubs what is not a URL', () => {
    expect(splitUrl('ftp//u:p@h x').shown).toBe('ftp//u:p@h x');
    expect(splitUrl('see http://u:p@h/?access_token=abc').shown).toBe('see http://h/?access_token=hidden');
  });
});

describe('withoutUserinfo', () => {
  it('removes only user:pass@', () => {
    expect(withoutUserinfo('https://u:p@prom.example:9090')).toBe('https://prom.example:9090');
    expect(withoutUserinfo('https://prom.example/x?a=1')).toBe('https://prom.example/x?a=1');
  });
});

describe('scrubSecrets', () => {
  it('removes credentials from URLs quoted in any text', () => {
    expect(
      scrubSecrets(
        'Request cannot be constructed from a URL that includes credentials: https://a:b@h/api?x=1&X-Amz-Signature=zz',
      ),
    ).toBe(
      'Request cannot be constructed from a URL that includes credentials: https://h/api?x=1&X-Amz-Signature=hidden',
    );
    expect(scrubSecrets('nats://u:p@n1:4222,nats://u:p@n2:4222')).toBe('nats://n1:4222,nats://n2:4222');
    expect(scrubSecrets('plain text, no url')).toBe('plain text, no url');
  });
});
