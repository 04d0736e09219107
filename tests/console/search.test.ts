import { describe, expect, it } from 'vitest';
import { parseSearch } from '../../src/projections/cases/search.js';

describe('inbox search tokens', () => {
  it('splits known tokens, label tokens and free text', () => {
    expect(parseSearch('ns:payments pod:api- timeout deploy:checkout')).toEqual({
      keys: { ns: ['payments'], pod: ['api-'], deploy: ['checkout'] },
      labels: {},
      text: 'timeout',
    });
    expect(parseSearch('svc:web cluster:prod-eu-1 alert:5xx container:api')).toEqual({
      keys: { svc: ['web'], cluster: ['prod-eu-1'], alert: ['5xx'] },
      labels: { container: ['api'] },
      text: '',
    });
  });

  it('reads several values of one key as alternatives, and quoted values with spaces', () => {
    const s = parseSearch('ns:a ns:b alert:"Kube Job" namespace:c');
    expect(s.keys.ns).toEqual(['a', 'b', 'c']);
    expect(s.keys.alert).toEqual(['Kube Job']);
  });

  it('leaves URLs, times and empty values as text', () => {
    expect(parseSearch('https://x.example/a at 10:30 ns:')).toEqual({
      keys: {},
      labels: {},
      text: 'https://x.example/a at 10:30 ns:',
    });
    expect(parseSearch('')).toEqual({ keys: {}, labels: {}, text: '' });
  });

  it('reads prototype names (constructor, __proto__, hasOwnProperty, toString) as label names', () => {
    const s = parseSearch('constructor:a __proto__:b hasOwnProperty:c toString:d valueOf:e ns:x');
    expect(s.keys).toEqual({ ns: ['x'] });
    expect(Object.entries(s.labels)).toEqual([
      ['constructor', ['a']],
      ['__proto__', ['b']],
      ['hasOwnProperty', ['c']],
      ['toString', ['d']],
      ['valueOf', ['e']],
    ]);
  });
});
