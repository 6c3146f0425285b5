import { describe, expect, it } from 'vitest';
import { citationsOf, progressOf, safeHttpUrl } from '../../web/src/data-shapes.js';

// The chat page's reading of agent_data (docs/react.md, "The chat page (protocol 1.2)"):
// an agent's data is untrusted; a wrong shape is refused (the page then shows plain JSON).

describe('progressOf', () => {
  it('reads { value, max?, label? }, max defaulting to 100 and the value kept within 0..max', () => {
    expect(progressOf({ value: 30 })).toEqual({ value: 30, max: 100, label: undefined });
    expect(progressOf({ value: 2, max: 4, label: 'Reading' })).toEqual({ value: 2, max: 4, label: 'Reading' });
    expect(progressOf({ value: 9, max: 4 })).toMatchObject({ value: 4 });
    expect(progressOf({ value: -1 })).toMatchObject({ value: 0 });
    expect(progressOf({ value: 1, label: 7 })).toMatchObject({ label: undefined });
  });

  it('refuses other shapes', () => {
    for (const bad of [null, 3, '50%', [], { value: '3' }, { value: Number.NaN }, { value: Infinity }, { value: 1, max: 0 }, { value: 1, max: -5 }, { value: 1, max: '10' }]) {
      expect(progressOf(bad), JSON.stringify(bad)).toBeUndefined();
    }
  });
});

describe('citationsOf', () => {
  it('keeps entries with an absolute http(s) URL, titled by their URL when the title is missing or blank', () => {
    expect(
      citationsOf([
        { title: 'Docs', url: 'https://example.com/a?b=1' },
        { url: 'http://example.org/' },
        { title: '  ', url: 'https://example.net/x' },
      ]),
    ).toEqual([
      { title: 'Docs', url: 'https://example.com/a?b=1' },
      { title: 'http://example.org/', url: 'http://example.org/' },
      { title: 'https://example.net/x', url: 'https://example.net/x' },
    ]);
  });

  it('drops entries that could run or mislead, and refuses a value that is not a list', () => {
    const bad = ['javascript:alert(1)', 'JAVASCRIPT:alert(1)', 'data:text/html,<script>1</script>', '/relative', '//example.com/x', 'file:///etc/passwd', 'not a url', ''];
    expect(citationsOf(bad.map((url) => ({ title: 't', url })))).toEqual([]);
    expect(citationsOf([null, 3, 'https://example.com', { title: 'no url' }, { title: 't', url: 42 }])).toEqual([]);
    expect(citationsOf({ title: 't', url: 'https://example.com' })).toBeUndefined();
    expect(citationsOf('https://example.com')).toBeUndefined();
  });

  it('safeHttpUrl normalises what it accepts', () => {
    expect(safeHttpUrl('HTTPS://Example.com/a b')).toBe('https://example.com/a%20b');
    expect(safeHttpUrl(' javascript:alert(1)')).toBeUndefined();
  });
});
