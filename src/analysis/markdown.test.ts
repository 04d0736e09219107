import { describe, expect, it } from 'vitest';
import { mdCode, mdFence, mdText } from './markdown.js';

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
