import { describe, expect, it } from 'vitest';
import { safeNext } from './redirect.js';

describe('safeNext', () => {
  it('keeps paths on this site, with their query and fragment', () => {
    expect(safeNext('/cases/abc?tab=report#x')).toBe('/cases/abc?tab=report#x');
    expect(safeNext('/')).toBe('/');
    // Encoded characters stay encoded: still a path here.
    expect(safeNext('/%2F%2Fevil.example')).toBe('/%2F%2Fevil.example');
  });

  it('refuses anything a browser could read as another site', () => {
    for (const bad of [
      '//evil.example',
      '///evil.example',
      '/\\evil.example',
      '\\\\evil.example',
      'https://evil.example/',
      'javascript:alert(1)',
      'evil.example',
      '/\tevil',
      ' //evil.example',
      '',
      undefined,
      42,
      `/${'a'.repeat(3000)}`,
    ]) {
      expect(safeNext(bad), String(bad)).toBe('/');
    }
  });
});
