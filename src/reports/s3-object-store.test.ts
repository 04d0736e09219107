import { objectStoreContract } from './object-store.contract.js';
import { S3ObjectStore } from './s3-object-store.js';
import { startS3Server } from '../../tests/support/s3.js';

objectStoreContract('S3 (S3-protocol server)', async () => {
  const s3 = await startS3Server();
  return { store: new S3ObjectStore(s3.settings), cleanup: s3.stop };
});
