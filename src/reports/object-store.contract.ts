import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keySegment, type ObjectStore } from './object-store.js';

// One behaviour suite, run against every ObjectStore adapter.
export function objectStoreContract(
  name: string,
  setup: () => Promise<{ store: ObjectStore; cleanup(): Promise<void> }>,
) {
  describe(`ObjectStore contract: ${name}`, () => {
    let store: ObjectStore;
    let cleanup: () => Promise<void>;
    const prefix = `t-${randomUUID().slice(0, 8)}/`;
    beforeAll(async () => ({ store, cleanup } = await setup()));
    afterAll(async () => cleanup());

    it('writes and reads back an object', async () => {
      await store.put(`${prefix}2026-11-26/abc-crashloop.json`, '{"a":1}', 'application/json');
      expect(await store.get(`${prefix}2026-11-26/abc-crashloop.json`)).toBe('{"a":1}');
    });

    it('overwrites on a second write of the same key (idempotent re-projection)', async () => {
      await store.put(`${prefix}k.md`, 'one', 'text/markdown');
      await store.put(`${prefix}k.md`, 'two', 'text/markdown');
      expect(await store.get(`${prefix}k.md`)).toBe('two');
    });

    it('answers null for a missing key', async () => {
      expect(await store.get(`${prefix}missing.json`)).toBeNull();
    });

    it('lists keys under a prefix, sorted', async () => {
      await store.put(`${prefix}l/b.json`, 'b', 'application/json');
      await store.put(`${prefix}l/a.json`, 'a', 'application/json');
      expect(await store.list(`${prefix}l/`)).toEqual([`${prefix}l/a.json`, `${prefix}l/b.json`]);
    });

    it('keeps hostile values inside one key segment', async () => {
      const seg = keySegment('../../etc/passwd\n"x"');
      expect(seg).not.toMatch(/[/\n"]/);
      await store.put(`${prefix}${seg}.json`, 'safe', 'application/json');
      expect(await store.list(prefix)).toContain(`${prefix}${seg}.json`);
    });
  });
}
