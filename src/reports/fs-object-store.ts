import { mkdir, readFile, readdir, rename, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve, sep } from 'node:path';
import type { ObjectStore } from './object-store.js';

/** Objects as files under a folder, keys as relative paths (written atomically via rename). */
export class FsObjectStore implements ObjectStore {
  private readonly root: string;
  constructor(root: string) {
    this.root = resolve(root);
  }

  private path(key: string): string {
    const p = resolve(this.root, key);
    if (!p.startsWith(this.root + sep))
      throw new Error(`object key ${JSON.stringify(key)} escapes the report folder`);
    return p;
  }

  async put(key: string, body: string): Promise<void> {
    const p = this.path(key);
    await mkdir(dirname(p), { recursive: true });
    const tmp = `${p}.${process.pid}.tmp`;
    await writeFile(tmp, body);
    await rename(tmp, p);
  }

  async get(key: string): Promise<string | null> {
    try {
      return await readFile(this.path(key), 'utf8');
    } catch (e) {
      if ((e as { code?: string }).code === 'ENOENT') return null;
      throw e;
    }
  }

  async list(prefix: string): Promise<string[]> {
    const files = await readdir(this.root, { recursive: true }).catch(() => [] as string[]);
    return files
      .map((f) => relative(this.root, join(this.root, f)).split(sep).join('/'))
      .filter((k) => k.startsWith(prefix) && !k.endsWith('.tmp'))
      .sort();
  }

  describe(): string {
    return `folder ${this.root}`;
  }
}
