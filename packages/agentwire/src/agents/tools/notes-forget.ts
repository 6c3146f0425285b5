import { AgentwireError } from '../../errors.js';
import type { Tool } from './registry.js';

export interface NotesForgetArgs {
  /** What the user asked to forget, shown on the approval card. */
  readonly query?: string;
  /** The notes to delete, named so the user sees exactly what goes (protocol 1.2, demo agent). */
  readonly notes: ReadonlyArray<{ readonly id: string; readonly text?: string }>;
}

export interface NotesForgetResult {
  readonly forgotten: number;
}

/** One approval covers a bounded list: the card must stay readable. */
export const MAX_FORGET_NOTES = 50;

/**
 * Deletes notes of the acting user. Declared `needsApproval`: `callTool` asks the user first
 * and runs it only when approved (docs/protocol.md, "Approvals"). It touches only
 * `context.notebook`, bound to that user, so an id of someone else's note deletes nothing.
 */
export const notesForgetTool: Tool<NotesForgetArgs, NotesForgetResult> = Object.freeze<Tool<NotesForgetArgs, NotesForgetResult>>({
  name: 'notes_forget',
  description: "Deletes notes from the user's own notebook, by id (search them first with the notes tool). The user is asked to approve first.",
  needsApproval: true,
  parameters: {
    type: 'object',
    properties: {
      query: { type: 'string', description: 'What the user asked to forget' },
      notes: {
        type: 'array',
        maxItems: MAX_FORGET_NOTES,
        items: { type: 'object', properties: { id: { type: 'string' }, text: { type: 'string' } }, required: ['id'] },
      },
    },
    required: ['notes'],
    additionalProperties: false,
  },
  async execute(args, context) {
    const notes = (args as { notes?: unknown }).notes;
    if (!Array.isArray(notes) || notes.length === 0 || notes.length > MAX_FORGET_NOTES) {
      throw new AgentwireError('AW_ERR_TOOL_INPUT', `notes_forget needs "notes": 1 to ${MAX_FORGET_NOTES} notes with an "id"`);
    }
    const ids = notes.map((note: unknown) => (typeof note === 'object' && note !== null ? (note as { id?: unknown }).id : undefined));
    if (!ids.every((id): id is string => typeof id === 'string' && id !== '')) {
      throw new AgentwireError('AW_ERR_TOOL_INPUT', 'every note to forget needs a string "id"');
    }
    return { forgotten: await context.notebook.forget(ids) };
  },
});
