import type { StreamEventType } from './types.js';

/** The event types that end a run (docs/protocol.md): exactly one per run, and nothing of the run after it. */
export function isTerminalType(type: StreamEventType): type is 'agent_completed' | 'agent_error' {
  return type === 'agent_completed' || type === 'agent_error';
}
