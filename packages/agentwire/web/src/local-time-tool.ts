import type { ClientToolSpec } from '../../src/index.js';

/**
 * The client tool the page offers with every message (protocol 1.2 "Client tools"): only
 * the browser knows its user's clock and zone. The demo agent calls it for "what time is it
 * here?" (docs/protocol.md, "The standalone server's demo agent") and states the answer.
 */
export const LOCAL_TIME_TOOL: ClientToolSpec = {
  name: 'local_time',
  description: "The user's local date and time and IANA time zone, read from their browser.",
  parameters: { type: 'object', properties: {}, additionalProperties: false },
};

export interface LocalTime {
  /** The local date and time as the browser writes it for its locale. */
  local: string;
  /** The IANA zone, e.g. `Europe/Paris`. */
  timezone: string;
  /** The same instant in ISO 8601 (UTC). */
  iso: string;
}

/** Answers `local_time` from the browser's clock and `Intl`'s resolved time zone. */
export function localTime(now: Date = new Date()): LocalTime {
  const timezone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  const local = now.toLocaleString([], { timeZone: timezone, dateStyle: 'medium', timeStyle: 'short' });
  return { local, timezone, iso: now.toISOString() };
}
