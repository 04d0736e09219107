import { describe, expect, it } from 'vitest';
import { reviewClaims } from './review.js';

const ctx = {
  evidenceIds: new Set(['prom.restarts', 'logs.previous']),
  classification: 'actionable',
  family: 'crashloop',
};

describe('reviewClaims', () => {
  it('keeps cited claims and flags uncited ones, made-up ids and verdict changes', () => {
    const { kept, flagged } = reviewClaims(
      [
        { section: 'summary', text: 'Pod restarts 14 times.', evidence: ['prom.restarts', 'prom.restarts'] },
        { section: 'root_cause', text: 'Solar flares.', evidence: [] },
        { section: 'next_step', text: 'Check it.', evidence: ['prom.restarts', 'ev-made-up'] },
        { section: 'next_step', text: 'It is classified as noisy by now.', evidence: ['logs.previous'] },
        { section: 'next_step', text: 'No action needed here.', evidence: ['logs.previous'] },
        { section: 'unknown', text: 'Whether the DB was up.', evidence: [] },
      ],
      ctx,
    );
    expect(kept.map((c) => c.text)).toEqual(['Pod restarts 14 times.', 'Whether the DB was up.']);
    expect(kept[0]!.evidence).toEqual(['prom.restarts']);
    expect(flagged.map((f) => f.reason)).toEqual([
      'uncited',
      'unknown_evidence',
      'contradicts_verdict',
      'contradicts_verdict',
    ]);
  });

  it('lets a narrative agree with the deterministic classification', () => {
    const { kept } = reviewClaims(
      [
        {
          section: 'summary',
          text: 'Classified as noisy: it flaps every hour and is safe to ignore.',
          evidence: ['prom.restarts'],
        },
      ],
      { ...ctx, classification: 'noisy' },
    );
    expect(kept).toHaveLength(1);
  });
});
