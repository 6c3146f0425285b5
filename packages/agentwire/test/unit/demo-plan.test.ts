import { describe, expect, it } from 'vitest';
import { answerChunks } from '../../src/agents/demo/chunks.js';
import { MAX_DEMO_STEPS, planDemo, type DemoStep } from '../../src/agents/demo/plan.js';

const calc = (expression: string): DemoStep => ({ kind: 'calculate', expression });
const clock = (timezone: string): DemoStep => ({ kind: 'clock', timezone });

describe('planDemo', () => {
  it.each<[string, DemoStep[]]>([
    ['What is 17 * 23?', [calc('17 * 23')]],
    ['what is (2+3)*4 and 10/4', [calc('(2+3)*4'), calc('10/4')]],
    ['what is 2 ^ 3 ^ 2 and -(4 - 6) * 3?', [calc('2 ^ 3 ^ 2'), calc('-(4 - 6) * 3')]],
    ['Compute 7 % 3, please.', [calc('7 % 3')]],
    ['(that is 2+3)', [calc('2+3')]],
    ['what is 2 + * 3', [calc('2 + * 3')]],
    ['6 \u00d7 7 = ?', [calc('6 \u00d7 7')]],
    ['what time is it in Europe/Paris', [clock('Europe/Paris')]],
    ['time in Asia/Tokyo', [clock('Asia/Tokyo')]],
    ['In Asia/Tokyo, what time is it?', [clock('Asia/Tokyo')]],
    ['What time is it?', [clock('UTC')]],
    // protocol 1.2: the user's own local time is the client tool's, never the server's UTC.
    ['What time is it here?', [{ kind: 'local_time' }]],
    ["what's the time here, and what time is it in Asia/Tokyo?", [{ kind: 'local_time' }, clock('Asia/Tokyo')]],
    ['Forget what I noted about the launch', [{ kind: 'forget', query: 'launch' }]],
    ['please delete my notes about "dentist". What is 2+2?', [{ kind: 'forget', query: 'dentist' }, calc('2+2')]],
    ['what time is it in UTC.', [clock('UTC')]],
    ['What time is it in Tokyo and in New York City?', [clock('Asia/Tokyo'), clock('America/New_York')]],
    ['time in Etc/GMT+5 and/or whatever', [clock('Etc/GMT+5')]],
    ['What time is it in Springfield?', [clock('Springfield')]],
    ['What time is it in Mars/Olympus', [clock('Mars/Olympus')]],
    ['I had a great time in the mountains.', []],
    ['Remember that the launch is on Friday.', [{ kind: 'remember', text: 'the launch is on Friday' }]],
    ['remember: "buy   milk"', [{ kind: 'remember', text: 'buy milk' }]],
    ['remember that 2+2 is 4 and what is 3*3', [{ kind: 'remember', text: '2+2 is 4' }, calc('3*3')]],
    ['What did I note about the launch?', [{ kind: 'recall', query: 'launch' }]],
    ['search my notes for "wifi"', [{ kind: 'recall', query: 'wifi' }]],
    [
      'What is 17 * 23, what time is it in Asia/Tokyo, and remember that I like tea.',
      [calc('17 * 23'), clock('Asia/Tokyo'), { kind: 'remember', text: 'I like tea' }],
    ],
    ['COVID-19 costs 50% more on 2026-11-21', []],
    ['Version 1.2.3 costs $5.50.', []],
    ['hello there', []],
  ])('%j', (message, steps) => {
    expect(planDemo(message)).toEqual({ steps, skipped: 0 });
  });

  it(`keeps the first ${MAX_DEMO_STEPS} requests and counts the rest`, () => {
    const plan = planDemo(Array.from({ length: MAX_DEMO_STEPS + 3 }, (_, i) => `${i}*2`).join(' and '));
    expect(plan.steps).toHaveLength(MAX_DEMO_STEPS);
    expect(plan.steps[0]).toEqual(calc('0*2'));
    expect(plan.skipped).toBe(3);
  });

  it('collapses long runs of blanks (which also keeps its regular expressions linear)', () => {
    const message = `remember that a${' '.repeat(32 * 1024)}b\n\n\nwhat is 1${'\t'.repeat(1000)}+ 2`;
    expect(planDemo(message).steps).toEqual([{ kind: 'remember', text: 'a b' }, calc('1 + 2')]);
  });
});

describe('answerChunks', () => {
  it('splits into parts of a few words that join back to the exact answer', () => {
    const answer = '17 * 23 = 391.  In UTC it is now\nlate.';
    const chunks = answerChunks(answer);
    expect(chunks.join('')).toBe(answer);
    expect(chunks).toEqual(['17 * 23 ', '= 391.  In ', 'UTC it is ', 'now\nlate.']);
    expect(answerChunks('')).toEqual([]);
  });
});
