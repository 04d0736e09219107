import { describe, expect, it } from 'vitest';
import { fitsUtf8, isUnstorable, storable, truncateUtf8, utf8Bytes } from './storable-text.js';

describe('storable text', () => {
  it('finds NUL and unpaired surrogates, and only those', () => {
    expect(isUnstorable('a\u0000b')).toBe(true);
    expect(isUnstorable('a\uD83Db')).toBe(true);
    expect(isUnstorable('a\uDE00b')).toBe(true);
    expect(isUnstorable('😀 é 日')).toBe(false);
    expect(storable('x\u0000😀\uD83D')).toBe('x\uFFFD😀\uFFFD');
  });

  it('tells whether text fits a byte budget exactly, multi-byte characters included', () => {
    for (const s of ['', 'abc', 'é'.repeat(10), '日'.repeat(10), '😀'.repeat(10), 'a日😀é'.repeat(7)]) {
      for (const max of [0, 1, 9, 10, 19, 20, 29, 30, 39, 40, 60, 200]) {
        expect(fitsUtf8(s, max), `${s} in ${max}`).toBe(utf8Bytes(s) <= max);
      }
    }
  });

  it('cuts text to its byte budget with a marker, never inside a character', () => {
    const cut = truncateUtf8('日'.repeat(100), 60);
    expect(utf8Bytes(cut)).toBeLessThanOrEqual(60);
    expect(cut).toMatch(/^日+…\[truncated \d+ bytes\]$/);
    expect(truncateUtf8('short', 60)).toBe('short');
  });
});
