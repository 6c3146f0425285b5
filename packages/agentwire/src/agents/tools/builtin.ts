import { calculatorTool } from './calculator.js';
import { clockTool } from './clock.js';
import { notesTool } from './notes.js';
import { notesForgetTool } from './notes-forget.js';
import type { Tool } from './registry.js';

/** The tools agentwire ships, ready for `new ToolRegistry(builtinTools())`. A new array each call. */
export function builtinTools(): Tool<never>[] {
  return [calculatorTool, clockTool, notesTool, notesForgetTool];
}
