import { describe, expect, it } from 'vitest';
import { upcastRecordedReport, type RecordedReport } from './report.js';
import { currentFamily, FAMILIES } from './taxonomy.js';

describe('family vocabulary of old reports', () => {
  it.each([
    ['rollout_mismatch', 'rollout_stuck', 'k8s_rollout_health', 'rollout_stuck'],
    ['node_problem', 'NotReady', 'pod_not_healthy', 'node_not_ready'],
    ['node_problem', 'Unreachable', 'pod_not_healthy', 'node_unreachable'],
    ['node_problem', 'MemoryPressure', 'memory_pressure', 'node_memory_pressure'],
    ['node_problem', 'DiskPressure', 'generic', 'node_disk_pressure'],
    ['node_problem', 'filesystem', 'generic', 'node_filesystem'],
    ['node_problem', null, 'generic', 'node'],
  ])('%s (%s) reads as %s (%s)', (family, sub, now, nowSub) => {
    expect(currentFamily(family, sub)).toEqual({ family: now, subReason: nowSub });
  });

  it('leaves every current family as it is', () => {
    for (const f of FAMILIES) expect(currentFamily(f, 'x')).toEqual({ family: f, subReason: 'x' });
  });

  it('upcasts a stored report, its preliminary family included, and keeps current ones identical', () => {
    const old: RecordedReport = {
      family: 'rollout_mismatch',
      summary: 'Rollout / replicas mismatch on Deployment shop/web',
      familyDetail: { preliminary: 'rollout_mismatch', subReason: 'replicas_mismatch', reasons: ['x'] },
    };
    expect(upcastRecordedReport(old)).toMatchObject({
      family: 'k8s_rollout_health',
      familyDetail: { preliminary: 'k8s_rollout_health', subReason: 'replicas_mismatch', reasons: ['x'] },
      summary: old.summary,
    });
    const node = upcastRecordedReport({ family: 'node_problem', familyDetail: { subReason: 'NotReady' } });
    expect(node).toMatchObject({ family: 'pod_not_healthy', familyDetail: { subReason: 'node_not_ready' } });
    const current: RecordedReport = { family: 'crashloop', familyDetail: { preliminary: 'crashloop' } };
    expect(upcastRecordedReport(current)).toBe(current);
    expect(upcastRecordedReport(null)).toBeNull();
    expect(upcastRecordedReport({ truncated: true })).toEqual({ truncated: true });
  });
});
