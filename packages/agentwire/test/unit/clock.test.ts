import { describe, expect, it } from 'vitest';
import type { ToolContext } from '../../src/agents/tools/registry.js';
import { clockTool, type ClockResult } from '../../src/agents/tools/clock.js';
import { createMemoryStore } from '../../src/store/memory-store.js';
import { isAgentwireError } from '../../src/errors.js';
import { toolContextFor } from './tool-context.js';

// 10:00 UTC on a November day: Paris is on winter time (+01:00), Kolkata is +05:30.
const context = toolContextFor(createMemoryStore().notes, 'alice', { now: new Date('2026-11-21T10:00:00.000Z') });

/** The tool may answer synchronously or not; the tests do not depend on which. */
const clock = async (args: Record<string, unknown>, at: ToolContext = context): Promise<ClockResult> => clockTool.execute(args, at);

async function rejection(args: Record<string, unknown>): Promise<Error> {
  const outcome = await clock(args).then(
    () => undefined,
    (error: unknown) => error,
  );
  if (outcome instanceof Error) return outcome;
  throw new Error(`clock accepted ${JSON.stringify(args)}`);
}

describe('clock tool', () => {
  it('answers in UTC by default, from context.now()', async () => {
    expect(await clock({})).toEqual({
      timezone: 'UTC',
      iso: '2026-11-21T10:00:00.000Z',
      local: 'Saturday, November 21, 2026 at 10:00:00 AM UTC',
      utc_offset: '+00:00',
    });
  });

  it('gives the local time and offset of an IANA zone', async () => {
    const paris = await clock({ timezone: 'Europe/Paris' });
    expect(paris.timezone).toBe('Europe/Paris');
    expect(paris.iso).toBe('2026-11-21T10:00:00.000Z');
    expect(paris.local).toBe('Saturday, November 21, 2026 at 11:00:00 AM GMT+1');
    expect(paris.utc_offset).toBe('+01:00');

    const kolkata = await clock({ timezone: 'Asia/Kolkata' });
    expect(kolkata.local).toMatch(/^Saturday, November 21, 2026 at 3:30:00 PM /);
    expect(kolkata.utc_offset).toBe('+05:30');

    const tokyo = await clock({ timezone: 'Asia/Tokyo' });
    expect(tokyo.local).toMatch(/at 7:00:00 PM/);
    expect(tokyo.utc_offset).toBe('+09:00');
  });

  it('follows daylight saving time', async () => {
    const summer = toolContextFor(createMemoryStore().notes, 'alice', { now: new Date('2026-07-01T10:00:00.000Z') });
    const paris = await clock({ timezone: 'Europe/Paris' }, summer);
    expect(paris.utc_offset).toBe('+02:00');
    expect(paris.local).toMatch(/at 12:00:00 PM/);
  });

  it('canonicalises the zone name and ignores surrounding spaces', async () => {
    expect((await clock({ timezone: ' asia/tokyo ' })).timezone).toBe('Asia/Tokyo');
    expect((await clock({ timezone: 'utc' })).timezone).toBe('UTC');
  });

  it('uses plain spaces in the readable time', async () => {
    expect((await clock({ timezone: 'America/New_York' })).local).not.toMatch(/[\u202f\u00a0]/);
  });

  it.each([
    [{ timezone: 'Mars/Olympus_Mons' }, /unknown time zone "Mars\/Olympus_Mons"/],
    [{ timezone: 'Paris' }, /unknown time zone "Paris"/],
    [{ timezone: '' }, /IANA zone name/],
    [{ timezone: 'A/'.repeat(40) }, /IANA zone name/],
    [{ timezone: 42 }, /"timezone" as a string/],
  ])('refuses %j with AW_ERR_TOOL_INPUT', async (args, message) => {
    const error = await rejection(args);
    expect(isAgentwireError(error, 'AW_ERR_TOOL_INPUT')).toBe(true);
    expect(error.message).toMatch(message);
  });
});
