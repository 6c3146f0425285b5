import { AgentwireError } from '../../errors.js';
import type { Tool } from './registry.js';

export interface ClockArgs {
  /** An IANA zone such as "Europe/Paris", or "UTC" (the default). */
  readonly timezone?: string;
}

export interface ClockResult {
  /** The zone's canonical name, e.g. "Asia/Tokyo" for "asia/tokyo". */
  readonly timezone: string;
  /** The instant in UTC, ISO 8601 with milliseconds. */
  readonly iso: string;
  /** For people, e.g. "Saturday, November 21, 2026 at 11:00:00 AM GMT+1". */
  readonly local: string;
  /** The zone's offset from UTC at that instant, e.g. "+01:00". */
  readonly utc_offset: string;
}

/** Longer than any IANA name; bounds what we hand to Intl and echo in errors. */
const MAX_ZONE_LENGTH = 64;

/** The current time, read from `context.now()` so tests can pin it. */
export const clockTool: Tool<ClockArgs, ClockResult> = Object.freeze<Tool<ClockArgs, ClockResult>>({
  name: 'clock',
  description: 'Tells the current date and time, in UTC or in an IANA time zone such as "Europe/Paris".',
  parameters: {
    type: 'object',
    properties: {
      timezone: { type: 'string', description: 'IANA time zone, e.g. "Asia/Tokyo"; default "UTC"' },
    },
    additionalProperties: false,
  },
  execute(args, context) {
    const requested: unknown = (args as Partial<Record<keyof ClockArgs, unknown>>).timezone ?? 'UTC';
    if (typeof requested !== 'string') throw new AgentwireError('AW_ERR_TOOL_INPUT', 'clock takes "timezone" as a string');
    const zone = requested.trim();
    const now = context.now();
    const local = formatterFor(zone, { dateStyle: 'full', timeStyle: 'long' });
    return {
      timezone: local.resolvedOptions().timeZone,
      iso: now.toISOString(),
      local: plainSpaces(local.format(now)),
      utc_offset: utcOffset(zone, now),
    };
  },
});

function formatterFor(zone: string, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  if (zone === '' || zone.length > MAX_ZONE_LENGTH) {
    throw new AgentwireError('AW_ERR_TOOL_INPUT', 'timezone must be an IANA zone name such as "Europe/Paris", or "UTC"');
  }
  try {
    return new Intl.DateTimeFormat('en-US', { ...options, timeZone: zone });
  } catch (error) {
    // Intl throws a RangeError for names it does not know; say which name, and what works.
    throw new AgentwireError('AW_ERR_TOOL_INPUT', `unknown time zone "${zone}" (use an IANA name such as "Europe/Paris", or "UTC")`, { cause: error });
  }
}

/** "GMT+05:30" from Intl becomes "+05:30"; plain "GMT" (offset zero) becomes "+00:00". */
function utcOffset(zone: string, at: Date): string {
  const parts = formatterFor(zone, { timeZoneName: 'longOffset' }).formatToParts(at);
  const name = parts.find((part) => part.type === 'timeZoneName')?.value ?? 'GMT';
  const offset = name.replace(/^(GMT|UTC)/, '');
  return offset === '' ? '+00:00' : offset;
}

/** ICU puts narrow no-break spaces in times ("11:00\u202fAM"); plain text reads better. */
const plainSpaces = (text: string): string => text.replace(/[\u202f\u00a0]/g, ' ');
