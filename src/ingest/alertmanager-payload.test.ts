import { describe, expect, it } from 'vitest';
import { labelsFingerprint } from './alertmanager-payload.js';

/** The definition, slowly: FNV-1a 64 over UTF-8 names and values sorted by their bytes, 0xff after each. */
function reference(labels: Record<string, string>): string {
  let h = 0xcbf29ce484222325n;
  const add = (s: string) => {
    for (const b of [...Buffer.from(s, 'utf8'), 0xff])
      h = ((h ^ BigInt(b)) * 0x100000001b3n) & 0xffffffffffffffffn;
  };
  const names = Object.keys(labels).sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
  for (const n of names) {
    add(n);
    add(labels[n]!);
  }
  return h.toString(16).padStart(16, '0');
}

describe('labelsFingerprint', () => {
  it('is FNV-1a 64 as Alertmanager computes it, for ASCII, non-ASCII and astral text', () => {
    const alphabet = ['a', 'Z', '_', '0', '/', 'é', 'ß', '日', '😀', '\uFFFD', ' ', '"', '\\'];
    let seed = 7;
    const rand = (n: number) => (seed = (seed * 1103515245 + 12345) % 2 ** 31) % n;
    const text = () => Array.from({ length: rand(12) }, () => alphabet[rand(alphabet.length)]).join('');
    for (let i = 0; i < 2000; i++) {
      const labels: Record<string, string> = { alertname: text() || 'A' };
      for (let j = rand(6); j > 0; j--) labels[text() || `l${j}`] = text();
      expect(labelsFingerprint(labels), JSON.stringify(labels)).toBe(reference(labels));
    }
  });
});
