import { bindNotebook } from '../../src/agents/tools/notebook.js';
import type { ToolContext } from '../../src/agents/tools/registry.js';
import type { NoteStore } from '../../src/store/types.js';

/** A tool context whose clock is pinned, for tests; the notebook bound as the gateway's scope binds it. */
export function toolContextFor(
  notes: NoteStore,
  userId: string,
  options: { now?: Date; signal?: AbortSignal } = {},
): ToolContext {
  const now = options.now ?? new Date('2026-11-21T10:00:00.000Z');
  return {
    userId,
    notebook: bindNotebook(notes, userId, () => now),
    signal: options.signal ?? new AbortController().signal,
    now: () => now,
  };
}
