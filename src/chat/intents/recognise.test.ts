import { describe, expect, it } from 'vitest';
import { helpText, recognise } from './index.js';
import { extractQuery } from './promql.js';
import { filterOf } from './firing.js';
import { lookupQuery } from './lookup.js';

// Each intent, asked the way on-call people ask it.
const CASE: [string, string][] = [
  ['summary', 'summary'],
  ['summary', "What's going on here?"],
  ['summary', 'tl;dr please'],
  ['summary', 'is it still firing?'],
  ['why', 'why is this classified as actionable?'],
  ['why', 'Why noise 80?'],
  ['why', 'explain the score'],
  ['changes', 'what changed?'],
  ['changes', 'was there a deploy before this?'],
  ['changes', 'any recent changes'],
  ['evidence', 'show the query behind hypothesis 2'],
  ['evidence', 'how do you know?'],
  ['evidence', 'show me the logs behind the top hypothesis'],
  ['promql', 'run `rate(http_requests_total[5m])`'],
  ['promql', 'run sum by (pod) (rate(errors_total[5m])) over the last 2h'],
  ['promql', 'promql: up{job="api"}'],
  ['kubernetes', 'show the pod'],
  ['kubernetes', 'rollout status?'],
  ['kubernetes', 'k8s events'],
  ['logs', 'tail the logs'],
  ['logs', 'last 50 log lines'],
  ['similar', 'have we seen this before?'],
  ['similar', 'similar past incidents'],
  ['similar', 'how was it resolved last time?'],
  ['rerun', 'rerun the investigation'],
  ['rerun', 'investigate again with a 2h window'],
];
const GLOBAL: [string, string][] = [
  ['counts', 'how many cases are open?'],
  ['noisy', 'top noisy alerts this week'],
  ['noisy', 'which alerts are the noisiest?'],
  ['firing', 'what is firing for team payments?'],
  ['firing', 'anything firing in namespace shop'],
  ['trends', 'more alerts than yesterday?'],
  ['trends', 'trend vs the previous window'],
  ['lookup', 'find case KubePodCrashLooping'],
  ['lookup', 'look up 3f9a2b4c5d6e7f80'],
  ['promql', 'run `up`'],
];

describe('intent recognition', () => {
  it.each(CASE)('case thread: %s ← %s', (intent, text) => {
    expect(recognise(text, 'case')?.intent.name).toBe(intent);
  });
  it.each(GLOBAL)('global thread: %s ← %s', (intent, text) => {
    expect(recognise(text, 'global')?.intent.name).toBe(intent);
  });

  it('recognises nothing in small talk or hostile text, and the help lists what it can do', () => {
    for (const t of [
      'hello there',
      '<img src=x onerror=alert(1)>',
      '"}) or vector(1) #',
      'DROP TABLE cases;',
    ])
      expect(recognise(t, 'case')).toBeNull();
    const help = helpText('case');
    expect(help).toContain('similar past incidents');
    expect(help).toContain('PromQL');
  });

  it('takes the query out of the question, not the words around it', () => {
    expect(extractQuery('run `sum(rate(x[5m]))` please')).toBe('sum(rate(x[5m]))');
    expect(extractQuery('run rate(errors_total[5m]) over the last 2h')).toBe('rate(errors_total[5m])');
    expect(extractQuery('run the query')).toBeNull();
  });

  it('reads team, namespace and cluster values as plain values', () => {
    expect(filterOf('firing for team payments?')).toEqual({ team: 'payments' });
    expect(filterOf('firing in namespace="shop-1" cluster eu-1')).toEqual({
      namespace: 'shop-1',
      cluster: 'eu-1',
    });
    expect(lookupQuery('find case KubePodCrashLooping in shop')).toBe('KubePodCrashLooping in shop');
  });
});
