import { describe, expect, it } from 'vitest';
import { toolSummary } from '../../web/src/tool-summary.js';

// The chat page's tool chips: one rule for every tool, not a list of known tools.
describe('tool chips', () => {
  it.each([
    ['calculator', { expression: '17 * 23' }, { expression: '17 * 23', value: 391 }, '17 * 23', '→ 391'],
    ['clock', { timezone: 'Asia/Tokyo' }, { timezone: 'Asia/Tokyo', iso: '2026-11-29T10:00:00.000Z', local: 'Sunday' }, 'Asia/Tokyo', '→ 2026-11-29T10:00:00.000Z'],
    ['notes add', { action: 'add', text: 'launch on Friday' }, { action: 'add', note: { id: 'n1', text: 'launch on Friday' } }, 'add · launch on Friday', '→ done'],
    ['notes search', { action: 'search', query: 'launch' }, { action: 'search', query: 'launch', notes: [{}, {}] }, 'search · launch', '→ 2 notes'],
    ['a scalar result', { q: 'x' }, 42, 'x', '→ 42'],
    ['a list result', {}, [1, 2, 3], '{}', '→ 3 items'],
  ])('%s', (_name, args, result, shownArgs, shownState) => {
    const chip = toolSummary({ type: 'tool_call', tool_call_id: 'c', tool_name: 'tool', args, result, duration_ms: 12 });
    expect(chip.args).toBe(shownArgs);
    expect(chip.state).toBe(`${shownState} · 12 ms`);
  });

  it('says running, or failed, the same way for every tool', () => {
    expect(toolSummary({ type: 'tool_call', tool_call_id: 'c', tool_name: 'any', args: { a: 1 } }).state).toBe('running…');
    expect(toolSummary({ type: 'tool_call', tool_call_id: 'c', tool_name: 'any', args: { a: 1 }, error: 'boom', duration_ms: 1500 }).state).toBe('failed · 1.5 s');
  });

  it('keeps a chip to one line of at most 60 characters', () => {
    const chip = toolSummary({ type: 'tool_call', tool_call_id: 'c', tool_name: 'any', args: { text: 'word '.repeat(40) + '\nnext line' }, result: { out: 'y'.repeat(200) }, duration_ms: 1 });
    expect(chip.args).toHaveLength(60);
    expect(chip.args.endsWith('…')).toBe(true);
    expect(chip.args).not.toContain('\n');
  });
});
