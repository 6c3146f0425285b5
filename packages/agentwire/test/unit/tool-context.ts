import type { Notebook, ToolContext } from '../../src/agents/tools/registry.js';
import type { NoteStore } from '../../src/bus/types.js';

/** A notebook bound to one user, the way the gateway's scope binds it. */
export function notebookFor(notes: NoteStore, userId: string): Notebook {
  return {
    add: (text) => notes.add(userId, text),
    search: (query) => notes.search(userId, query),
  };
}

/** A tool context whose clock is pinned, for tests. */
export function toolContextFor(
  notes: NoteStore,
  userId: string,
  options: { now?: Date; signal?: AbortSignal } = {},
): ToolContext {
  const now = options.now ?? new Date('2026-11-21T10:00:00.000Z');
  return {
    userId,
    notebook: notebookFor(notes, userId),
    signal: options.signal ?? new AbortController().signal,
    now: () => now,
  };
}
