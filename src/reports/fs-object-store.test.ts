import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { objectStoreContract } from './object-store.contract.js';
import { FsObjectStore } from './fs-object-store.js';

objectStoreContract('local folder', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tarka-objects-'));
  return {
    store: new FsObjectStore(dir),
    cleanup: async () => rmSync(dir, { recursive: true, force: true }),
  };
});
