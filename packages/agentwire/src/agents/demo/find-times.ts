import type { Found } from './plan.js';

/** Sentences end at . ! ? followed by a blank (not the dot of 0.5) or at a line break. */
const SENTENCE = /(?:[^.!?\n]|[.!?](?![\s]|$))+/g;
const TIME_WORD = /\btime\b/i;
const TIME_QUESTION =
  /\b(?:what(?:'s|’s|\sis)?\s(?:the\s)?(?:current\s|local\s)?time|time\sis\sit|(?:current|local)\stime|time\snow|(?:tell|give|show)\s(?:me\s)?the\stime)\b/i;
/** "Area/Location", e.g. Europe/Paris, America/Argentina/Buenos_Aires, Etc/GMT+5. */
const IANA = /\b[A-Za-z][A-Za-z_]*(?:\/[A-Za-z0-9_+-]+)+/g;
const UTC_WORD = /\b(?:UTC|GMT)\b/gi;
/**
 * "in" and up to three words after it, for city names such as "New York". The words are
 * captured in a lookahead so they stay available to the next match ("in Tokyo and in Paris").
 */
const IN_PLACE = /\bin\s(?=([A-Za-z][A-Za-z'-]*(?:\s[A-Za-z][A-Za-z'-]*){0,2}))/gi;

/** "what time is it here?", "my local time": only the user's front end knows (the client tool `local_time`). */
const LOCAL_TIME = /\b(?:what(?:'s|’s|\sis)?\s(?:the\s)?time\s(?:is\sit\s)?here|time\sis\sit\shere|my\slocal\stime)\b/gi;

/** Questions about the user's own local time (protocol 1.2, demo agent). Expects normalised spaces. */
export function findLocalTime(text: string): Found[] {
  return [...text.matchAll(LOCAL_TIME)].map((match) => ({
    start: match.index,
    end: match.index + match[0].length,
    step: { kind: 'local_time' as const },
  }));
}

/**
 * Every zone named in a sentence that mentions "time" gets a clock call; a time question
 * naming no zone gets one in UTC. Zones are IANA names (checked by the clock tool, so a
 * wrong one is reported, not ignored), UTC/GMT, or a city that ends an IANA name
 * ("in Tokyo" is Asia/Tokyo). Expects normalised spaces.
 */
export function findTimes(text: string): Found[] {
  const found: Found[] = [];
  for (const sentence of text.matchAll(SENTENCE)) {
    const words = sentence[0];
    const timeWord = TIME_WORD.exec(words);
    if (!timeWord) continue;
    const zones = zonesIn(words, TIME_QUESTION.test(words));
    for (const zone of zones) {
      found.push({ start: sentence.index + zone.start, end: sentence.index + zone.end, step: { kind: 'clock', timezone: zone.name } });
    }
    if (zones.length === 0 && TIME_QUESTION.test(words)) {
      const start = sentence.index + timeWord.index;
      found.push({ start, end: start + timeWord[0].length, step: { kind: 'clock', timezone: 'UTC' } });
    }
  }
  return found;
}

interface ZoneMention {
  readonly start: number;
  readonly end: number;
  readonly name: string;
}

function zonesIn(sentence: string, isQuestion: boolean): ZoneMention[] {
  const zones: ZoneMention[] = [];
  const free = (start: number, end: number): boolean => !zones.some((z) => start < z.end && z.start < end);
  for (const match of sentence.matchAll(IANA)) {
    const name = match[0];
    const area = name.slice(0, name.indexOf('/')).toLowerCase();
    const afterIn = /\bin\s$/i.test(sentence.slice(0, match.index));
    // "and/or" is not a zone: an unknown area counts only right after "in".
    if (afterIn || zoneIndex().areas.has(area)) zones.push({ start: match.index, end: match.index + name.length, name });
  }
  for (const match of sentence.matchAll(UTC_WORD)) {
    const end = match.index + match[0].length;
    if (free(match.index, end)) zones.push({ start: match.index, end, name: match[0].toUpperCase() });
  }
  for (const match of sentence.matchAll(IN_PLACE)) {
    const start = match.index + match[0].length;
    const place = placeAt(match[1] ?? '', isQuestion);
    if (place && free(start, start + place.length)) zones.push({ start, end: start + place.length, name: place.zone });
  }
  return zones.sort((a, b) => a.start - b.start);
}

/**
 * The longest run of leading words that names a city ("New York City" → "New York").
 * In a time question, capitalised words naming no zone are passed on as typed, so the
 * clock reports "unknown time zone" rather than the demo silently answering for UTC.
 */
function placeAt(words: string, isQuestion: boolean): { length: number; zone: string } | undefined {
  const parts = words.split(' ');
  for (let n = parts.length; n > 0; n--) {
    const candidate = parts.slice(0, n).join(' ');
    const zone = zoneIndex().cities.get(candidate.toLowerCase());
    if (zone) return { length: candidate.length, zone };
  }
  if (!isQuestion) return undefined;
  const capitalised = [];
  for (const part of parts) {
    if (!/^[A-Z]/.test(part)) break;
    capitalised.push(part);
  }
  if (capitalised.length === 0) return undefined;
  const name = capitalised.join(' ');
  return { length: name.length, zone: name };
}

interface ZoneIndex {
  /** "new york" → "America/New_York". */
  readonly cities: ReadonlyMap<string, string>;
  /** "europe", "america", ..., lower-case. */
  readonly areas: ReadonlySet<string>;
}

/** Built once from the zones this runtime knows, so it never disagrees with the clock tool. */
function buildZoneIndex(): ZoneIndex {
  const cities = new Map<string, string>();
  const areas = new Set<string>(['etc']);
  for (const zone of Intl.supportedValuesOf('timeZone')) {
    const parts = zone.split('/');
    if (parts.length < 2) continue;
    areas.add((parts[0] ?? '').toLowerCase());
    const city = (parts[parts.length - 1] ?? '').replaceAll('_', ' ').toLowerCase();
    if (!cities.has(city)) cities.set(city, zone);
  }
  return { cities, areas };
}

/** Immutable once built (read-only types), so sharing it across users shares no state. */
const ZONE_INDEX: ZoneIndex = buildZoneIndex();
const zoneIndex = (): ZoneIndex => ZONE_INDEX;
