import type { NoteStore } from '../../store/types.js';
import type { Notebook } from './registry.js';

/**
 * The `notes` tool's view of the store: one user's notebook, bound to that user when the
 * scope makes it, so no tool argument can reach anyone else's notes.
 */
export function bindNotebook(notes: NoteStore, userId: string, now: () => Date = () => new Date()): Notebook {
  return Object.freeze<Notebook>({
    add: (text: string) => notes.add(userId, text, now().toISOString()),
    search: (query: string) => notes.search(userId, query),
    forget: (ids: readonly string[]) => notes.forget(userId, ids),
  });
}
