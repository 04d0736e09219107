import { describe, expect, it } from 'vitest';
import { escapeLabelValue, selector } from './promql.js';

describe('PromQL escaping', () => {
  it.each([
    ['plain', 'api', '{pod="api"}'],
    ['a quote', 'a"b', '{pod="a\\"b"}'],
    ['a backslash', 'C:\\tmp', '{pod="C:\\\\tmp"}'],
    ['a newline', 'x\ny', '{pod="x\\ny"}'],
    ['an attempt to close the selector', 'x"} or vector(1) #', '{pod="x\\"} or vector(1) #"}'],
  ])('keeps a value with %s inside one literal', (_, value, expected) => {
    expect(selector({ pod: value })).toBe(expected);
  });

  it('refuses label names that are not PromQL identifiers', () => {
    expect(() => selector({ 'a"b': 'x' })).toThrow(/invalid label name/);
  });

  it('round-trips through a JSON string parse (PromQL literals follow Go string escapes)', () => {
    const nasty = 'q"\\\n"}{';
    expect(JSON.parse(`"${escapeLabelValue(nasty)}"`)).toBe(nasty);
  });
});
