import { describe, expect, it } from 'vitest';
import type { Recorded } from '../../events/envelope.js';
import { emptyMemoryState, evolveMemory, type MemoryState } from './evolve.js';
import { featuresFromLabels, featuresFromReport } from './features.js';

// Given a case's events, when folded, then one row per episode with its features and resolution.

let seq = 0;
const ev = (type: string, data: unknown, occurredAt = '2026-10-01T10:00:00.000Z'): Recorded =>
  ({
    id: `e${++seq}`,
    type,
    schema: 1,
    aggregate: 'case.c1',
    occurredAt,
    causationId: null,
    correlationId: null,
    data,
    seq,
    index: 0,
  }) as Recorded;
const labels = {
  alertname: 'KubePodCrashLooping',
  namespace: 'shop',
  pod: 'api-7c9d8f6b5d-x2x4z',
  cluster: 'eu-1',
};
const fired = (episode: number, startsAt: string) =>
  ev('AlertFired', {
    fingerprint: 'c1',
    episode,
    startsAt,
    labels,
    annotations: {},
    generatorURL: null,
    notification: {},
  });
const report = {
  family: 'crashloop',
  summary: 'Crash loop on Deployment shop/api',
  target: {
    kind: 'workload',
    display: 'Deployment shop/api',
    namespace: 'shop',
    workload: { kind: 'Deployment', name: 'api', source: 'owner-chain' },
    service: 'api-svc',
  },
  logFindings: {
    signatures: [{ id: 'missing_config' }, { id: 'connection_refused' }, { id: 'missing_config' }],
    patterns: [{ pattern: 'ERROR env PAYMENT_URL is not set' }],
  },
  changes: { known: true, items: [{ precedesAlert: true, imageChanged: false }] },
};

function fold(events: Recorded[], state: MemoryState = emptyMemoryState()) {
  for (const e of events) evolveMemory(state, e);
  return state;
}

describe('memory features', () => {
  it('takes the workload from the labels before any report, and the report over them after', () => {
    const before = featuresFromLabels(labels);
    expect(before).toMatchObject({
      workloadKey: 'shop/api',
      serviceKey: null,
      cluster: 'eu-1',
      family: null,
    });
    const after = featuresFromReport(before, report as never);
    expect(after).toMatchObject({
      workloadKey: 'shop/api',
      serviceKey: 'shop/api-svc',
      family: 'crashloop',
      targetKind: 'workload',
      signatures: ['connection_refused', 'missing_config'],
      logText: 'ERROR env PAYMENT_URL is not set',
      changePattern: 'config_rollout',
    });
  });

  it('reads a truncated or old report without failing, keeping what it knew', () => {
    const f = featuresFromReport(featuresFromLabels(labels), {
      family: 'crashloop',
      truncated: true,
    } as never);
    expect(f).toMatchObject({
      workloadKey: 'shop/api',
      family: 'crashloop',
      signatures: [],
      changePattern: null,
    });
  });
});

describe('memory evolve', () => {
  it('keeps each episode apart, with its investigation, its close and whether it fired again', () => {
    const s = fold([
      fired(1, '2026-10-01T10:00:00.000Z'),
      ev('InvestigationRequested', { investigationId: 'i1', episode: 1, reason: 'new_episode', anchor: '' }),
      ev('InvestigationCompleted', { investigationId: 'i1', anchor: '', report }),
      ev('AlertResolved', {
        fingerprint: 'c1',
        episode: 1,
        startsAt: '',
        endsAt: '2026-10-01T10:30:00.000Z',
      }),
      ev(
        'CaseResolved',
        { category: 'fixed', note: 'set PAYMENT_URL', by: 'ana' },
        '2026-10-01T10:40:00.000Z',
      ),
      fired(2, '2026-10-02T08:00:00.000Z'),
      ev('InvestigationRequested', { investigationId: 'i2', episode: 2, reason: 'new_episode', anchor: '' }),
    ]);
    const one = s.rows.get('c1#1')!;
    const two = s.rows.get('c1#2')!;
    expect(one).toMatchObject({
      workload_key: 'shop/api',
      family: 'crashloop',
      signatures: ['connection_refused', 'missing_config'],
      alert_resolved_at: '2026-10-01T10:30:00.000Z',
      closed_category: 'fixed',
      closed_note: 'set PAYMENT_URL',
      closed_by: 'ana',
      closed_at: '2026-10-01T10:40:00.000Z',
      fired_again_at: '2026-10-02T08:00:00.000Z',
    });
    expect(two).toMatchObject({
      investigation_id: 'i2',
      family: null,
      closed_category: null,
      fired_again_at: null,
    });
  });

  it('a reopen clears the close of the newest episode only and counts', () => {
    const s = fold([
      fired(1, '2026-10-01T10:00:00.000Z'),
      ev('CaseResolved', { category: 'noise', note: null, by: 'bo' }),
      fired(2, '2026-10-02T10:00:00.000Z'),
      ev('CaseResolved', { category: 'fixed', note: 'x', by: 'bo' }),
      ev('CaseReopened', { by: 'cy', note: null }),
    ]);
    expect(s.rows.get('c1#1')).toMatchObject({ closed_category: 'noise' });
    expect(s.rows.get('c1#2')).toMatchObject({ closed_category: null, closed_note: null, reopened: 1 });
  });

  it('ignores an event a stored row already includes, and a report of an investigation no longer current', () => {
    const s = fold([
      fired(1, '2026-10-01T10:00:00.000Z'),
      ev('InvestigationRequested', { investigationId: 'i1', episode: 1, reason: 'new_episode', anchor: '' }),
      ev('InvestigationRequested', { investigationId: 'i2', episode: 1, reason: 'rerun', anchor: '' }),
      ev('InvestigationCompleted', { investigationId: 'i1', anchor: '', report }),
    ]);
    expect(s.rows.get('c1#1')!.family).toBeNull();
    const close = ev('CaseResolved', { category: 'fixed', note: 'n', by: 'a' });
    s.stored.set('c1#1', close.seq);
    expect(evolveMemory(s, close)).toEqual([]);
    expect(s.rows.get('c1#1')!.closed_category).toBeNull();
  });
});
