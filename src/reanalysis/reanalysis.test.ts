import { describe, expect, it } from 'vitest';
import type { CaseEvent } from '../events/case-events.js';
import type { CaseCommand } from '../commands/case/commands.js';
import { decide } from '../commands/case/decide.js';
import { evolve, initialState } from '../commands/case/state.js';
import { compareReports, keyFields } from './diff.js';
import { parseSince } from './since.js';

const T0 = '2026-11-26T10:00:00.000Z';
const fired: CaseEvent = {
  type: 'AlertFired',
  data: {
    fingerprint: 'f',
    episode: 1,
    startsAt: T0,
    labels: { alertname: 'A' },
    annotations: {},
    generatorURL: null,
    notification: { receiver: null, groupKey: null, truncatedAlerts: 0, reason: null },
  },
};
const requested: CaseEvent = {
  type: 'InvestigationRequested',
  data: { investigationId: 'i1', episode: 1, reason: 'new_episode', anchor: T0, requestedBy: null },
};
const report = { family: 'crashloop', classification: 'actionable', summary: 's' };
const completed: CaseEvent = {
  type: 'InvestigationCompleted',
  data: { investigationId: 'i1', anchor: T0, report },
};
const revise = (version: number): CaseCommand => ({
  type: 'ReviseReport',
  investigationId: 'i1',
  anchor: T0,
  version,
  report: { ...report, classification: 'noisy' },
  reason: 'r',
  tarkaVersion: '0.1.0',
  previous: { version: version - 1, family: 'crashloop', classification: 'actionable', topHypothesis: null },
});
const state = (...events: CaseEvent[]) => events.reduce(evolve, initialState());

describe('ReviseReport', () => {
  it('revises a completed investigation to the next version only', () => {
    const done = state(fired, requested, completed);
    expect(decide(revise(2), done).map((e) => e.type)).toEqual(['ReportRevised']);
    // The same version again (a second run, another replica) or a skipped one: nothing new.
    const revised = [...decide(revise(2), done)].reduce(evolve, done);
    expect(decide(revise(2), revised)).toEqual([]);
    expect(decide(revise(4), revised)).toEqual([]);
    expect(decide(revise(3), revised).map((e) => e.type)).toEqual(['ReportRevised']);
  });

  it('does not revise an investigation still running or unknown', () => {
    expect(decide(revise(2), state(fired, requested))).toEqual([]);
    expect(decide(revise(2), state(fired))).toEqual([]);
  });
});

describe('report diff', () => {
  it('names the key fields that changed, and notices any other change', () => {
    const h = { id: 'x', title: 'OOM', score: 80, rationale: 'r', evidence: [], queries: [] };
    const a = { ...report, hypotheses: [h] };
    expect(keyFields(a)).toEqual({ family: 'crashloop', classification: 'actionable', topHypothesis: 'OOM' });
    expect(compareReports(a, { ...a, family: 'oom_killed', hypotheses: [] })).toEqual({
      fields: ['family', 'topHypothesis'],
      any: true,
    });
    expect(compareReports(a, { ...a, summary: 'other' })).toEqual({ fields: [], any: true });
    // Key order and undefined members are not differences (the log stores JSON).
    expect(
      compareReports(a, {
        hypotheses: a.hypotheses,
        summary: 's',
        classification: 'actionable',
        family: 'crashloop',
        verdict: undefined,
      }),
    ).toEqual({
      fields: [],
      any: false,
    });
  });
});

describe('--since', () => {
  it('takes an ISO instant or a duration back from now', () => {
    const now = Date.parse(T0);
    expect(parseSince('2026-11-01T00:00:00Z')?.toISOString()).toBe('2026-11-01T00:00:00.000Z');
    expect(parseSince('7d', now)?.toISOString()).toBe('2026-11-19T10:00:00.000Z');
    expect(parseSince('90m', now)?.toISOString()).toBe('2026-11-26T08:30:00.000Z');
    for (const bad of ['yesterday', '7', '-1d', '2026-13-45']) expect(parseSince(bad, now)).toBeNull();
  });
});
