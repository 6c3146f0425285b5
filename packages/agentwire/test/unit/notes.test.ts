import { describe, expect, it } from 'vitest';
import { notesTool, type NotesArgs } from '../../src/agents/tools/notes.js';
import { createMemoryStore } from '../../src/store/memory-store.js';
import { isAgentwireError } from '../../src/errors.js';
import { toolContextFor } from './tool-context.js';

describe('notes tool', () => {
  it('stores a note and finds it again', async () => {
    const store = createMemoryStore();
    const alice = toolContextFor(store.notes, 'alice');
    const added = await notesTool.execute({ action: 'add', text: '  the launch is on Friday  ' }, alice);
    expect(added).toMatchObject({ action: 'add', note: { text: 'the launch is on Friday' } });
    expect(added.action === 'add' && added.note.id).toMatch(/^note_/);
    expect(added.action === 'add' && added.note.created_at).toMatch(/^\d{4}-\d\d-\d\dT/);

    const found = await notesTool.execute({ action: 'search', query: 'launch' }, alice);
    expect(found).toEqual({ action: 'search', query: 'launch', notes: [added.action === 'add' ? added.note : undefined] });
  });

  it('returns an empty list when nothing matches', async () => {
    const alice = toolContextFor(createMemoryStore().notes, 'alice');
    await notesTool.execute({ action: 'add', text: 'buy milk' }, alice);
    expect(await notesTool.execute({ action: 'search', query: 'launch' }, alice)).toEqual({
      action: 'search',
      query: 'launch',
      notes: [],
    });
  });

  it("never shows one user another user's notes", async () => {
    const store = createMemoryStore();
    const alice = toolContextFor(store.notes, 'alice');
    const bob = toolContextFor(store.notes, 'bob');
    await notesTool.execute({ action: 'add', text: 'alice secret: the code is 1234' }, alice);
    await notesTool.execute({ action: 'add', text: 'bob secret: the code is 9876' }, bob);

    const seenByBob = await notesTool.execute({ action: 'search', query: 'secret' }, bob);
    expect(seenByBob.action === 'search' && seenByBob.notes.map((n) => n.text)).toEqual(['bob secret: the code is 9876']);
    const seenByAlice = await notesTool.execute({ action: 'search', query: 'code' }, alice);
    expect(seenByAlice.action === 'search' && seenByAlice.notes.map((n) => n.text)).toEqual(['alice secret: the code is 1234']);
  });

  it.each<[Record<string, unknown>, RegExp]>([
    [{}, /"action": "add" or "search"/],
    [{ action: 'delete', text: 'x' }, /"action": "add" or "search"/],
    [{ action: 'add' }, /non-empty "text"/],
    [{ action: 'add', text: '   ' }, /non-empty "text"/],
    [{ action: 'add', text: 7 }, /non-empty "text"/],
    [{ action: 'add', text: 'x'.repeat(1001) }, /"text" is longer than 1000/],
    [{ action: 'search' }, /non-empty "query"/],
    [{ action: 'search', query: 'x'.repeat(201) }, /"query" is longer than 200/],
  ])('refuses %j with AW_ERR_TOOL_INPUT and stores nothing', async (args, message) => {
    const store = createMemoryStore();
    const error: unknown = await Promise.resolve(notesTool.execute(args as unknown as NotesArgs, toolContextFor(store.notes, 'alice'))).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isAgentwireError(error, 'AW_ERR_TOOL_INPUT')).toBe(true);
    expect((error as Error).message).toMatch(message);
    // Nothing was stored: no note of hers matches the refused text (or anything with an x).
    const text = (args as { text?: unknown }).text;
    const word = typeof text === 'string' && text.trim() ? text.trim().slice(0, 50) : 'x';
    expect(await store.notes.search('alice', word)).toEqual([]);
  });
});
