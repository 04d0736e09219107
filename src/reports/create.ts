import { resolve } from 'node:path';
import type { Config } from '../shared/config.js';
import { FsObjectStore } from './fs-object-store.js';
import type { ObjectStore } from './object-store.js';
import { S3ObjectStore } from './s3-object-store.js';

/** S3 when S3_BUCKET is set, otherwise a local folder under TARKA_DATA_DIR with the same keys. */
export function createObjectStore(config: Config): ObjectStore {
  if (config.S3_BUCKET) {
    return new S3ObjectStore({
      bucket: config.S3_BUCKET,
      region: config.S3_REGION,
      endpoint: config.S3_ENDPOINT_URL,
      accessKeyId: config.S3_ACCESS_KEY_ID,
      secretAccessKey: config.S3_SECRET_ACCESS_KEY,
      connectTimeoutMs: config.S3_CONNECT_TIMEOUT_SECONDS * 1000,
      requestTimeoutMs: config.S3_REQUEST_TIMEOUT_SECONDS * 1000,
      maxAttempts: config.S3_MAX_ATTEMPTS,
    });
  }
  return new FsObjectStore(resolve(config.TARKA_DATA_DIR, 'reports'));
}
