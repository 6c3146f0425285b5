import { describe, expect, it } from 'vitest';
import { OneOrMore } from '../../src/bus/one-or-more.js';

const members = <T>(set: OneOrMore<T>): T[] => {
  const seen: T[] = [];
  set.forEach((member, into: T[]) => into.push(member), seen, undefined);
  expect([...set]).toEqual(seen);
  return seen;
};

describe('OneOrMore', () => {
  it('holds members as a Set does: added once, in insertion order, through growing and shrinking', () => {
    const set = new OneOrMore<string>();
    expect([set.size, members(set)]).toEqual([0, []]);
    set.add('a');
    set.add('a');
    expect([set.size, members(set), set.has('a'), set.has('b')]).toEqual([1, ['a'], true, false]);
    set.add('b');
    set.add('c');
    expect([set.size, members(set), set.has('b'), set.has('z')]).toEqual([3, ['a', 'b', 'c'], true, false]);
    expect(set.delete('a')).toBe(true);
    expect(set.delete('a')).toBe(false);
    expect(set.delete('c')).toBe(true);
    expect([set.size, members(set), set.has('b'), set.has('c')]).toEqual([1, ['b'], true, false]);
    set.add('d');
    expect(members(set)).toEqual(['b', 'd']);
    expect([set.delete('b'), set.delete('d'), set.delete('d')]).toEqual([true, true, false]);
    expect([set.size, members(set), set.has('d')]).toEqual([0, [], false]);
  });

  it('forEach passes its two arguments to every member', () => {
    const set = new OneOrMore<{ got: number[] }>();
    const first = { got: [] as number[] };
    const second = { got: [] as number[] };
    set.add(first);
    set.forEach((member, a: number, b: number) => member.got.push(a, b), 1, 2);
    set.add(second);
    set.forEach((member, a: number, b: number) => member.got.push(a, b), 3, 4);
    expect([first.got, second.got]).toEqual([[1, 2, 3, 4], [3, 4]]);
  });
});
