import { describe, expect, it } from 'vitest';
import { upcast } from './upcasters.js';
import { eventVersions } from './catalogue.js';

describe('InvestigationCompleted read from the stream', () => {
  it('shows a report stored with an old family name in the current vocabulary', () => {
    const stored = {
      investigationId: 'inv-1',
      anchor: '2026-03-01T12:00:00.000Z',
      report: {
        family: 'rollout_mismatch',
        familyDetail: { preliminary: 'rollout_mismatch', subReason: null },
      },
    };
    const e = upcast('InvestigationCompleted', eventVersions.InvestigationCompleted, stored);
    expect(e.type).toBe('InvestigationCompleted');
    expect(e.data).toMatchObject({
      report: { family: 'k8s_rollout_health', familyDetail: { preliminary: 'k8s_rollout_health' } },
    });
  });
});
