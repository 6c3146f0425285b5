import type { Found } from './plan.js';

/**
 * Where a note request ends: the end of its sentence, or a following request joined by
 * "and"/"then" ("remember that X and what time is it in UTC").
 */
const END = String.raw`(?=[.!?](?:\s|$)|\n|$|,?\s(?:and|then)\s(?:what|what's|how|tell|remember|compute|calculate|search)\b)`;

const REMEMBER = new RegExp(String.raw`\bremember(?:\sthat\b|\s?:)\s?(.+?)` + END, 'gi');
const RECALL = new RegExp(
  String.raw`\b(?:what\sdid\si\s(?:note|save|write(?:\sdown)?|remember|store)\s(?:about|on|regarding)|(?:search|check)\smy\snotes\s(?:for|about))\s(.+?)` +
    END,
  'gi',
);

const FORGET = new RegExp(
  String.raw`\b(?:forget|delete)\s(?:what\si\s(?:noted|saved|wrote(?:\sdown)?|remembered|stored)|(?:my\s)?notes?)\s(?:about|on|regarding)\s(.+?)` + END,
  'gi',
);

/** Leading words that would make the store's every-word search miss ("the launch" vs "launch is Friday"). */
const LEADING_FILLER = /^(?:(?:the|a|an|my|our)\s)+/i;
const QUOTES = /^["'“‘](.*)["'”’]$/;

/**
 * "remember that ..." stores a note; "what did I note about ..." searches them; "forget what
 * I noted about ..." deletes them once approved (protocol 1.2). Expects normalised spaces.
 */
export function findNotes(text: string): Found[] {
  const found: Found[] = [];
  for (const match of text.matchAll(REMEMBER)) {
    const note = unquote((match[1] ?? '').trim());
    if (note !== '') found.push({ start: match.index, end: match.index + match[0].length, step: { kind: 'remember', text: note } });
  }
  for (const match of text.matchAll(RECALL)) {
    const asked = unquote((match[1] ?? '').trim());
    const query = asked.replace(LEADING_FILLER, '') || asked;
    if (query !== '') found.push({ start: match.index, end: match.index + match[0].length, step: { kind: 'recall', query } });
  }
  for (const match of text.matchAll(FORGET)) {
    const asked = unquote((match[1] ?? '').trim());
    const query = asked.replace(LEADING_FILLER, '') || asked;
    if (query !== '') found.push({ start: match.index, end: match.index + match[0].length, step: { kind: 'forget', query } });
  }
  return found;
}

const unquote = (text: string): string => QUOTES.exec(text)?.[1]?.trim() ?? text;
