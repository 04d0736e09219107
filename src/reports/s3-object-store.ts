import type { S3Client } from '@aws-sdk/client-s3';
import type { ObjectStore } from './object-store.js';
import { shownUrl } from '../shared/secret-url.js';

export interface S3Settings {
  bucket: string;
  region: string;
  endpoint?: string | undefined;
  accessKeyId?: string | undefined;
  secretAccessKey?: string | undefined;
  /** TCP connect, and one request with its answer (S3_CONNECT_TIMEOUT_SECONDS, S3_REQUEST_TIMEOUT_SECONDS). */
  connectTimeoutMs?: number;
  requestTimeoutMs?: number;
  /** Tries of one call, the first included (S3_MAX_ATTEMPTS). */
  maxAttempts?: number;
}

const DEFAULTS = { connectTimeoutMs: 5_000, requestTimeoutMs: 30_000, maxAttempts: 3 };

// The AWS SDK weighs tens of MB once loaded: load it on first use, so processes that never
// write a report (webhook, workers) do not carry it.
const sdk = () => import('@aws-sdk/client-s3');

/** Objects in an S3 bucket (AWS, or any S3-protocol server via an endpoint and path-style URLs). */
export class S3ObjectStore implements ObjectStore {
  private client: Promise<S3Client> | undefined;

  private readonly limits: typeof DEFAULTS;

  constructor(private readonly settings: S3Settings) {
    this.limits = {
      connectTimeoutMs: settings.connectTimeoutMs ?? DEFAULTS.connectTimeoutMs,
      requestTimeoutMs: settings.requestTimeoutMs ?? DEFAULTS.requestTimeoutMs,
      maxAttempts: settings.maxAttempts ?? DEFAULTS.maxAttempts,
    };
  }

  /**
   * Each call's whole budget, retries and their back-off included: the SDK's own timeouts bound
   * each try, this bounds the call even where they do not apply (e.g. a body that stalls).
   */
  private deadline(): { abortSignal: AbortSignal } {
    const { connectTimeoutMs, requestTimeoutMs, maxAttempts } = this.limits;
    return { abortSignal: AbortSignal.timeout(maxAttempts * (connectTimeoutMs + requestTimeoutMs) + 1_000) };
  }

  private s3(): Promise<S3Client> {
    this.client ??= sdk().then(
      ({ S3Client }) =>
        new S3Client({
          region: this.settings.region,
          ...(this.settings.endpoint ? { endpoint: this.settings.endpoint, forcePathStyle: true } : {}),
          ...(this.settings.accessKeyId && this.settings.secretAccessKey
            ? {
                credentials: {
                  accessKeyId: this.settings.accessKeyId,
                  secretAccessKey: this.settings.secretAccessKey,
                },
              }
            : {}),
          maxAttempts: this.limits.maxAttempts,
          // Without these a black-holed endpoint holds a request for ever (the SDK's default is no timeout).
          requestHandler: {
            connectionTimeout: this.limits.connectTimeoutMs,
            requestTimeout: this.limits.requestTimeoutMs,
            throwOnRequestTimeout: true,
          },
        }),
    );
    return this.client;
  }

  async put(key: string, body: string, contentType: string): Promise<void> {
    const { PutObjectCommand } = await sdk();
    await (
      await this.s3()
    ).send(
      new PutObjectCommand({ Bucket: this.settings.bucket, Key: key, Body: body, ContentType: contentType }),
      this.deadline(),
    );
  }

  async get(key: string): Promise<string | null> {
    const { GetObjectCommand } = await sdk();
    try {
      const r = await (
        await this.s3()
      ).send(new GetObjectCommand({ Bucket: this.settings.bucket, Key: key }), this.deadline());
      return (await r.Body?.transformToString('utf8')) ?? null;
    } catch (e) {
      if ((e as { name?: string }).name === 'NoSuchKey') return null;
      throw e;
    }
  }

  async list(prefix: string): Promise<string[]> {
    const { ListObjectsV2Command } = await sdk();
    const s3 = await this.s3();
    const keys: string[] = [];
    let token: string | undefined;
    do {
      const r = await s3.send(
        new ListObjectsV2Command({ Bucket: this.settings.bucket, Prefix: prefix, ContinuationToken: token }),
        this.deadline(),
      );
      for (const o of r.Contents ?? []) if (o.Key) keys.push(o.Key);
      token = r.IsTruncated ? r.NextContinuationToken : undefined;
    } while (token);
    return keys.sort();
  }

  describe(): string {
    return `s3://${this.settings.bucket}${this.settings.endpoint ? ` at ${shownUrl(this.settings.endpoint)}` : ''}`;
  }
}
