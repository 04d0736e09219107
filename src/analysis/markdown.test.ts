import { describe, expect, it } from 'vitest';
import { mdCode, mdFence, mdText, memorySection } from './markdown.js';

describe('Markdown escaping helpers', () => {
  it.each([
    ['emphasis', '*a* _b_ ~c~', '\\*a\\* \\_b\\_ \\~c\\~'],
    ['links', '[x](y)', '\\[x\\](y)'],
    ['HTML', '<b>&amp;</b>', '&lt;b&gt;&amp;amp;&lt;/b&gt;'],
    ['a leading heading', '# title', '\\# title'],
    ['a leading list item', '- item', '\\- item'],
    ['a leading ordered item', '1. item', '1\\. item'],
    ['newlines', 'a\n# b\n\n- c', 'a # b - c'],
    ['pipes', 'a | b', 'a \\| b'],
  ])('escapes %s', (_, input, expected) => {
    expect(mdText(input)).toBe(expected);
  });

  it('breaks bare autolinks without losing the text', () => {
    expect(mdText('see https://evil.example and www.evil.example or a@b.example')).toBe(
      'see https&#8203;://evil.example and www&#8203;.evil.example or a&#8203;@b.example',
    );
  });

  it('makes code spans and fences longer than the backtick runs they contain', () => {
    expect(mdCode('a`b')).toBe('``a`b``');
    expect(mdCode('`x`')).toBe('`` `x` ``');
    expect(mdCode('a|b', true)).toBe('`a\\|b`');
    expect(mdFence('x\n```\ny', 'sh')).toBe('````sh\nx\n```\ny\n````');
    expect(mdFence('plain')).toBe('```\nplain\n```');
  });
});

describe('Markdown memory section', () => {
  const match = {
    caseId: 'abc',
    episode: 2,
    alertname: 'KubePodCrashLooping',
    target: 'Deployment shop/api',
    cluster: 'eu-1',
    namespace: 'shop',
    family: 'crashloop',
    startedAt: '2026-10-01T10:00:00.000Z',
    summary: 'Crash loop on Deployment shop/api',
    score: 70,
    features: [
      { feature: 'same_workload' as const, weight: 30, points: 30, detail: 'same workload shop/api' },
      { feature: 'similar_logs' as const, weight: 10, points: 8.5, detail: 'log patterns 85% similar' },
    ],
    resolution: {
      category: 'fixed',
      note: '<img src=x onerror=alert(1)> [link](javascript:alert(1))\n# heading',
      by: 'ana',
      closedAt: '2026-10-01T10:42:00.000Z',
      minutesToResolve: 42,
      firedAgain: true,
      firedAgainAt: '2026-10-03T08:00:00.000Z',
    },
  };

  it('says why each past incident matches and how it was resolved, with hostile notes inert', () => {
    const md = memorySection({ status: 'ok', reason: null, matches: [match] }).join('\n');
    expect(md).toContain('### 1. KubePodCrashLooping on Deployment shop/api, cluster eu-1 (score 70/100)');
    expect(md).toContain('- same workload shop/api (+30 of 30)');
    expect(md).toContain('- log patterns 85% similar (+8.5 of 10)');
    expect(md).toContain('Closed as **fixed** by ana after 42 min: &lt;img');
    expect(md).toContain('\\[link\\](javascript:alert(1)) # heading');
    expect(md).toContain('Fired again afterwards (2026-10-03T08:00:00.000Z).');
    expect(md).not.toMatch(/<img|^# heading/m);
  });

  it('says when nothing similar was found, and when nobody closed the earlier one', () => {
    expect(memorySection({ status: 'empty', reason: 'nothing alike', matches: [] })).toContain(
      'nothing alike',
    );
    const open = {
      ...match,
      resolution: { ...match.resolution, category: null, note: null, by: null, firedAgain: false },
    };
    const md = memorySection({ status: 'ok', reason: null, matches: [open] }).join('\n');
    expect(md).toContain(
      'Not closed by anyone; the alert ended after 42 min. Did not fire again afterwards.',
    );
  });
});
