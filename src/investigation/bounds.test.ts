import { describe, expect, it } from 'vitest';
import { isUnstorable } from '../shared/storable-text.js';
import { BOUNDS, boundError, boundReport, boundStep } from './bounds.js';
import { stepOf } from './investigate.js';

const bytes = (v: unknown) => Buffer.byteLength(JSON.stringify(v));
/** True when any string inside holds NUL or an unpaired surrogate (what Postgres refuses). */
const unstorable = (v: unknown): boolean =>
  typeof v === 'string' ? isUnstorable(v) : !!v && typeof v === 'object' && Object.values(v).some(unstorable);

describe('step and report bounds', () => {
  it('cuts a huge query, a 2 MB error and huge log lines, marks the step truncated, and keeps it storable', () => {
    const step = boundStep(
      stepOf({
        id: 'logs',
        title: 'Logs',
        source: 'logs',
        kind: 'logs',
        status: 'error',
        query: `{pod="${'q'.repeat(1_000_000)}"}`,
        startedAt: '2026-11-26T10:00:00Z',
        durationMs: 3,
        error: `boom ${'e'.repeat(2 * 1024 * 1024)} \u0000`,
        data: {
          backend: 'loki',
          lines: Array.from({ length: 5000 }, () => ({ line: `x\u0000${'l'.repeat(10_000)}\ud800` })),
        },
      }),
    );
    expect(bytes(step)).toBeLessThanOrEqual(BOUNDS.stepBytes);
    const d = step.detail as { query: string; error: string; truncated: boolean };
    expect(d.truncated).toBe(true);
    expect(d.query).toMatch(/…\[truncated \d+ bytes\]$/);
    expect(d.error).toMatch(/…\[truncated \d+ bytes\]$/);
    expect(step.summary).toMatch(/…\[truncated \d+ bytes\]$/);
    expect(unstorable(step)).toBe(false);
  });

  it('leaves a normal step as it was', () => {
    const s = {
      step: 'plan',
      status: 'done' as const,
      startedAt: 'x',
      durationMs: 1,
      summary: 'ok',
      detail: { a: [1, 2], b: 'c' },
    };
    expect(boundStep(s)).toEqual(s);
  });

  it('bounds failure texts and reports, keeping the report fields the case list reads', () => {
    expect(Buffer.byteLength(boundError('x'.repeat(3_000_000)))).toBeLessThanOrEqual(BOUNDS.errorBytes);
    const report = {
      family: 'crashloop',
      classification: 'actionable',
      summary: 's',
      findings: Array.from({ length: 3000 }, (_, i) => ({ i, text: 't'.repeat(2000) })),
    };
    const b = boundReport(report);
    expect(bytes(b)).toBeLessThanOrEqual(BOUNDS.reportBytes);
    expect(b).toMatchObject({ family: 'crashloop', classification: 'actionable', summary: 's' });
  });
});
