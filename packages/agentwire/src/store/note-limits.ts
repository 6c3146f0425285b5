import type { NoteLimits } from './types.js';

export const DEFAULT_NOTE_LIMITS: NoteLimits = { maxNotes: 200, maxBytes: 64 * 1024, maxResults: 20 };

export function noteLimits(overrides: Partial<NoteLimits> = {}): NoteLimits {
  const limits = { ...DEFAULT_NOTE_LIMITS, ...overrides };
  for (const [name, value] of Object.entries(limits)) {
    if (!Number.isInteger(value) || value < 1) throw new RangeError(`note limit ${name} must be a positive integer, got ${value}`);
  }
  return limits;
}

export const noteBytes = (text: string): number => Buffer.byteLength(text, 'utf8');

/**
 * The ids of the notes to drop so that the notebook fits its bounds, given the notes newest
 * first. The newest note is always kept, so an add never loses the note it just added.
 */
export function notesOverLimits(newestFirst: readonly { id: string; bytes: number }[], limits: NoteLimits): string[] {
  const dropped: string[] = [];
  let bytes = 0;
  newestFirst.forEach((note, index) => {
    bytes += note.bytes;
    if (index > 0 && (index >= limits.maxNotes || bytes > limits.maxBytes)) dropped.push(note.id);
  });
  return dropped;
}
