import { describe, expect, it } from 'vitest';
import { explain, type MatchRow } from './find-similar.js';
import { featuresFromLabels } from '../projections/memory/features.js';
import { WEIGHTS } from './weights.js';

const row = (over: Partial<MatchRow> = {}): MatchRow => ({
  caseId: 'c1',
  episode: 1,
  alertname: 'KubePodCrashLooping',
  target: 'Deployment shop/api',
  cluster: 'eu-1',
  namespace: 'shop',
  workloadKey: 'shop/api',
  serviceKey: null,
  family: 'crashloop',
  familyDetail: null,
  changePattern: 'image_rollout',
  startedAt: '2026-10-01T10:00:00.000Z',
  summary: 's',
  sharedSignatures: ['missing_config'],
  logSimilarity: 0.82,
  summarySimilarity: 0.1,
  pWorkload: 30,
  pService: 0,
  pAlert: 15,
  pFamily: 10,
  pSignature: 15,
  pLogs: 8.2,
  pChange: 5,
  pSummary: 0,
  score: 83.2,
  category: 'fixed',
  note: 'n',
  by: 'ana',
  closedAt: '2026-10-01T10:40:00.000Z',
  minutesToResolve: 40,
  firedAgainAt: null,
  ...over,
});

describe('explaining a match', () => {
  const here = featuresFromLabels({
    alertname: 'KubePodCrashLooping',
    namespace: 'shop',
    deployment: 'api',
    cluster: 'us-2',
  });

  it('lists only the features that scored, each with its weight, points and why', () => {
    const m = explain(row(), here);
    expect(m.features).toEqual([
      {
        feature: 'same_workload',
        weight: WEIGHTS.same_workload,
        points: 30,
        detail: 'same workload shop/api',
      },
      {
        feature: 'same_alert',
        weight: 15,
        points: 15,
        detail: 'same alert KubePodCrashLooping in another cluster (eu-1, this one us-2)',
      },
      { feature: 'same_family', weight: 10, points: 10, detail: 'same family crashloop' },
      { feature: 'same_log_signature', weight: 15, points: 15, detail: 'same log signature: missing_config' },
      { feature: 'similar_logs', weight: 10, points: 8.2, detail: 'log patterns 82% similar' },
      {
        feature: 'same_change_pattern',
        weight: 5,
        points: 5,
        detail: 'also preceded by a rollout that changed the image',
      },
    ]);
    expect(m.score).toBe(83.2);
    expect(m.resolution).toEqual({
      category: 'fixed',
      note: 'n',
      by: 'ana',
      closedAt: '2026-10-01T10:40:00.000Z',
      minutesToResolve: 40,
      firedAgain: false,
      firedAgainAt: null,
    });
  });

  it('the weights add up to 100, so a score reads as a percentage', () => {
    expect(Object.values(WEIGHTS).reduce((a, b) => a + b, 0)).toBe(100);
  });

  it('cuts long notes to the report bounds', () => {
    const m = explain(row({ note: 'x'.repeat(5000), firedAgainAt: '2026-10-02T00:00:00.000Z' }), here);
    expect(m.resolution.note!.length).toBe(1000);
    expect(m.resolution.firedAgain).toBe(true);
  });
});
