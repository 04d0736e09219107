import { describe, expect, it } from 'vitest';
import { silenceMatches } from './blast.js';

const silence = (matchers: { name: string; value: string; isRegex?: boolean; isEqual?: boolean }[]) => ({
  id: 's1',
  matchers: matchers.map((m) => ({ isRegex: false, isEqual: true, ...m })),
  endsAt: '2026-12-06T00:00:00Z',
  createdBy: 'oncall',
  comment: 'maintenance',
});

describe('silenceMatches', () => {
  it('follows Alertmanager: anchored regexes, a missing label is the empty string', () => {
    const labels = { alertname: 'KubePodCrashLooping', namespace: 'payments' };
    expect(silenceMatches(silence([{ name: 'namespace', value: 'pay.*', isRegex: true }]), labels)).toBe(
      true,
    );
    expect(silenceMatches(silence([{ name: 'namespace', value: 'pay', isRegex: true }]), labels)).toBe(false);
    expect(silenceMatches(silence([{ name: 'team', value: '' }]), labels)).toBe(true);
  });

  it('treats matcher names like constructor or toString as missing labels, not as object members', () => {
    const labels = { alertname: 'A' };
    // `labels.constructor` is Object: read as a label it would be "function Object() { [native code] }".
    expect(silenceMatches(silence([{ name: 'constructor', value: '.+', isRegex: true }]), labels)).toBe(
      false,
    );
    expect(silenceMatches(silence([{ name: 'toString', value: '' }]), labels)).toBe(true);
  });
});
