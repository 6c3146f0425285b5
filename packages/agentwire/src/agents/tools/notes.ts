import { AgentwireError } from '../../errors.js';
import type { Tool } from './registry.js';

export interface NotesArgs {
  readonly action: 'add' | 'search';
  /** The note to store, for `add`. */
  readonly text?: string;
  /** What to look for, for `search`. */
  readonly query?: string;
}

export interface NoteView {
  readonly id: string;
  readonly text: string;
  readonly created_at: string;
}

export type NotesResult =
  | { readonly action: 'add'; readonly note: NoteView }
  | { readonly action: 'search'; readonly query: string; readonly notes: readonly NoteView[] };

/** Short notes, not documents: a bound keeps one user from filling the store in one call. */
export const MAX_NOTE_LENGTH = 1000;
const MAX_QUERY_LENGTH = 200;

/**
 * Stores and searches the acting user's notes. It touches only `context.notebook`,
 * which is already bound to that user, so no argument can reach someone else's notes.
 */
export const notesTool: Tool<NotesArgs, NotesResult> = Object.freeze<Tool<NotesArgs, NotesResult>>({
  name: 'notes',
  description: "Stores a short note in the user's own notebook (action \"add\" with text) or searches it (action \"search\" with query).",
  parameters: {
    type: 'object',
    properties: {
      action: { type: 'string', enum: ['add', 'search'] },
      text: { type: 'string', description: 'The note to store (action "add")', maxLength: MAX_NOTE_LENGTH },
      query: { type: 'string', description: 'Words to look for (action "search")', maxLength: MAX_QUERY_LENGTH },
    },
    required: ['action'],
    additionalProperties: false,
  },
  async execute(args, context) {
    const raw = args as Partial<Record<keyof NotesArgs, unknown>>;
    if (raw.action === 'add') {
      const text = requiredText(raw.text, 'text', MAX_NOTE_LENGTH);
      return { action: 'add', note: view(await context.notebook.add(text)) };
    }
    if (raw.action === 'search') {
      const query = requiredText(raw.query, 'query', MAX_QUERY_LENGTH);
      const found = await context.notebook.search(query);
      return { action: 'search', query, notes: found.map(view) };
    }
    throw new AgentwireError('AW_ERR_TOOL_INPUT', 'notes needs "action": "add" or "search"');
  },
});

function requiredText(value: unknown, field: 'text' | 'query', max: number): string {
  if (typeof value !== 'string' || value.trim() === '') {
    throw new AgentwireError('AW_ERR_TOOL_INPUT', `notes needs a non-empty "${field}" string`);
  }
  const trimmed = value.trim();
  if (trimmed.length > max) throw new AgentwireError('AW_ERR_TOOL_INPUT', `"${field}" is longer than ${max} characters`);
  return trimmed;
}

/** Tool results travel on the wire, where field names are snake_case. */
const view = (note: { id: string; text: string; createdAt: string }): NoteView => ({
  id: note.id,
  text: note.text,
  created_at: note.createdAt,
});
