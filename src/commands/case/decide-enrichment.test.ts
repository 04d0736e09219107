import { describe, expect, it } from 'vitest';
import type { CaseEvent } from '../../events/case-events.js';
import type { InvestigationEnrichment } from '../../contract/enrichment.js';
import { decide } from './decide.js';
import { evolve, initialState } from './state.js';

// The LLM narrative is recorded only for an investigation that completed.

const T0 = '2026-11-26T10:00:00Z';
const fired: CaseEvent = {
  type: 'AlertFired',
  data: {
    fingerprint: 'abc',
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
  data: { investigationId: 'inv-1', episode: 1, reason: 'new_episode', anchor: T0, requestedBy: null },
};
const completed: CaseEvent = {
  type: 'InvestigationCompleted',
  data: { investigationId: 'inv-1', anchor: T0, report: null },
};
const enrichment: InvestigationEnrichment = {
  investigationId: 'inv-1',
  provider: 'openai',
  model: 'gpt-4o-mini',
  claims: [{ section: 'summary', text: 'Crash loop.', evidence: ['prom.restarts'] }],
  flagged: [],
  redaction: { pii: true, counts: { jwt: 1 }, total: 1 },
  usage: { inputTokens: 10, outputTokens: 2, costUsd: 0.000003 },
  error: null,
  note: null,
};
const stateOf = (...events: CaseEvent[]) => events.reduce(evolve, initialState());

describe('RecordEnrichment', () => {
  it('records the narrative of a completed investigation', () => {
    const events = decide({ type: 'RecordEnrichment', enrichment }, stateOf(fired, requested, completed));
    expect(events).toEqual([{ type: 'InvestigationEnriched', data: enrichment }]);
  });

  it('records nothing for an investigation still running or unknown', () => {
    expect(decide({ type: 'RecordEnrichment', enrichment }, stateOf(fired, requested))).toEqual([]);
    expect(
      decide(
        { type: 'RecordEnrichment', enrichment: { ...enrichment, investigationId: 'nope' } },
        stateOf(fired),
      ),
    ).toEqual([]);
  });
});
