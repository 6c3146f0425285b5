import { describe, expect, it } from 'vitest';
import { KeyedSerial } from '../../src/gateway/keyed-serial.js';

/** The per-thread acceptance order of run-requests.ts (docs/protocol.md, "Busy threads": accepted order). */
describe('KeyedSerial', () => {
  it('runs the tasks of one key one at a time in the order given, other keys alongside, failures included', async () => {
    const serial = new KeyedSerial();
    const log: string[] = [];
    const gates = new Map<string, () => void>();
    const task = (name: string, fail = false) => async () => {
      log.push(`start ${name}`);
      await new Promise<void>((resolve) => gates.set(name, resolve));
      log.push(`end ${name}`);
      if (fail) throw new Error(name);
      return name;
    };
    const a1 = serial.run('a', task('a1', true));
    const a2 = serial.run('a', task('a2'));
    const b1 = serial.run('b', task('b1'));
    await Promise.resolve();
    await Promise.resolve();
    expect(log).toEqual(['start a1', 'start b1']);
    gates.get('b1')!();
    expect(await b1).toBe('b1');
    gates.get('a1')!();
    await expect(a1).rejects.toThrow('a1');
    await new Promise((resolve) => setImmediate(resolve));
    expect(log).toEqual(['start a1', 'start b1', 'end b1', 'end a1', 'start a2']);
    gates.get('a2')!();
    expect(await a2).toBe('a2');
  });

  it('keeps the order after every task settled and it forgot its keys (its map is dropped when empty)', async () => {
    const serial = new KeyedSerial();
    expect(await serial.run('a', async () => 'first')).toBe('first');
    await new Promise((resolve) => setImmediate(resolve));
    const log: string[] = [];
    let open!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    const second = serial.run('a', async () => {
      log.push('start second');
      await gate;
      log.push('end second');
    });
    const third = serial.run('a', async () => void log.push('start third'));
    await new Promise((resolve) => setImmediate(resolve));
    expect(log).toEqual(['start second']);
    open();
    await Promise.all([second, third]);
    expect(log).toEqual(['start second', 'end second', 'start third']);
  });
});
