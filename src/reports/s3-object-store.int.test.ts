import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { objectStoreContract } from './object-store.contract.js';
import { S3ObjectStore } from './s3-object-store.js';
import { startS3Server } from '../../tests/support/s3.js';
import { startTcpProxy, type TcpProxy } from '../../tests/support/tcp-proxy.js';

objectStoreContract('S3 (S3-protocol server)', async () => {
  const s3 = await startS3Server();
  return { store: new S3ObjectStore(s3.settings), cleanup: s3.stop };
});

// An S3 endpoint that stops answering (a partition, a stopped VM) must fail an upload in bounded
// time, so the report writer retries instead of hanging for ever; and work again once it answers.
describe('S3 behind a network that hangs', () => {
  let s3: Awaited<ReturnType<typeof startS3Server>>;
  let proxy: TcpProxy;
  let store: S3ObjectStore;

  beforeAll(async () => {
    s3 = await startS3Server();
    proxy = await startTcpProxy({ host: '127.0.0.1', port: Number(new URL(s3.endpoint).port) });
    store = new S3ObjectStore({
      ...s3.settings,
      endpoint: proxy.url(),
      connectTimeoutMs: 500,
      requestTimeoutMs: 1_000,
      maxAttempts: 2,
    });
  });
  afterAll(async () => {
    await proxy.close();
    await s3.stop();
  });

  it('fails a put within its timeouts while the endpoint hangs, and puts again once it answers', async () => {
    await store.put('reports/a.json', '{"a":1}', 'application/json');
    proxy.setMode('hang');
    const started = Date.now();
    await expect(store.put('reports/b.json', '{"b":1}', 'application/json')).rejects.toThrow();
    // Two tries of at most connect + request time each, plus the SDK's short back-off.
    expect(Date.now() - started).toBeLessThan(5_000);
    await expect(store.get('reports/a.json')).rejects.toThrow();

    proxy.setMode('forward');
    await store.put('reports/b.json', '{"b":2}', 'application/json');
    expect(await store.get('reports/b.json')).toBe('{"b":2}');
  }, 20_000);
});
