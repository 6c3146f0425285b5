import type { Note } from './types.js';

/** Notes containing every word of the query (case-insensitive); all notes for an empty query. */
export function matchNotes(notes: readonly Note[], query: string): Note[] {
  const words = query.toLowerCase().split(/\W+/).filter((w) => w.length > 0);
  return notes.filter((note) => {
    const text = note.text.toLowerCase();
    return words.every((w) => text.includes(w));
  });
}
