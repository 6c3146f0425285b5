import { describe, expect, it } from 'vitest';
import { isAgentwireError, type ErrorCode } from '../../src/errors.js';
import { GoldenPath } from '../../src/notifier/golden-path.js';

/** Runs `step` and returns the code of the AgentwireError it threw (fails if it threw nothing else). */
function codeOf(step: () => void): ErrorCode {
  try {
    step();
  } catch (error) {
    if (isAgentwireError(error)) return error.code;
    throw error;
  }
  throw new Error('expected a coded error, nothing was thrown');
}

function started(): GoldenPath {
  const path = new GoldenPath();
  path.admit('agent_started');
  return path;
}

describe('GoldenPath', () => {
  it('admits one resolution per approval request, and no terminal event while one is open (protocol 1.2)', () => {
    const path = started();
    path.admit('tool_approval_requested', 'a');
    expect(codeOf(() => path.admit('tool_approval_requested', 'a'))).toBe('AW_ERR_NOTIFIER_DUPLICATE_APPROVAL');
    expect(codeOf(() => path.admit('tool_approval_resolved', 'b'))).toBe('AW_ERR_NOTIFIER_UNKNOWN_APPROVAL');
    expect(codeOf(() => path.admit('agent_completed'))).toBe('AW_ERR_NOTIFIER_APPROVALS_OPEN');
    expect(codeOf(() => path.admit('agent_error'))).toBe('AW_ERR_NOTIFIER_APPROVALS_OPEN');
    expect(path.state()).toMatchObject({ openApprovals: ['a'], complete: false });
    path.admit('tool_approval_resolved', 'a');
    expect(codeOf(() => path.admit('tool_approval_resolved', 'a'))).toBe('AW_ERR_NOTIFIER_UNKNOWN_APPROVAL');
    // The approved call runs under the same id.
    path.admit('tool_executing', 'a');
    path.admit('tool_completed', 'a');
    path.admit('agent_completed');
    expect(path.state()).toMatchObject({ openApprovals: [], complete: true });
  });

  it('admits a complete run and reports it complete', () => {
    const path = started();
    path.admit('agent_thinking');
    path.admit('tool_executing', 'a');
    path.admit('tool_executing', 'b');
    path.admit('tool_completed', 'b');
    expect(path.state()).toEqual({ started: true, openToolCalls: ['a'], openApprovals: [], terminal: null, complete: false });
    path.admit('tool_completed', 'a');
    path.admit('agent_message_delta');
    path.admit('agent_completed');
    expect(path.state()).toEqual({ started: true, openToolCalls: [], openApprovals: [], terminal: 'agent_completed', complete: true });
    expect(path.ended).toBe(true);
  });

  it('a run ended by agent_error is complete too', () => {
    const path = started();
    path.admit('agent_error');
    expect(path.state()).toMatchObject({ terminal: 'agent_error', complete: true });
  });

  it('a fresh path is neither started nor complete', () => {
    expect(new GoldenPath().state()).toEqual({ started: false, openToolCalls: [], openApprovals: [], terminal: null, complete: false });
    expect(new GoldenPath().hasStarted).toBe(false);
  });

  it.each(['agent_thinking', 'agent_message_delta', 'tool_executing', 'tool_completed', 'agent_completed', 'agent_error'] as const)(
    '%s before agent_started → AW_ERR_NOTIFIER_NOT_STARTED',
    (type) => {
      const path = new GoldenPath();
      expect(codeOf(() => path.admit(type, 'call'))).toBe('AW_ERR_NOTIFIER_NOT_STARTED');
      expect(path.state().started).toBe(false);
    },
  );

  it('agent_started twice → AW_ERR_NOTIFIER_ALREADY_STARTED', () => {
    expect(codeOf(() => started().admit('agent_started'))).toBe('AW_ERR_NOTIFIER_ALREADY_STARTED');
  });

  it.each(['agent_completed', 'agent_error'] as const)('any event after %s → AW_ERR_NOTIFIER_ENDED', (terminal) => {
    for (const next of ['agent_started', 'agent_thinking', 'agent_message_delta', 'tool_executing', 'agent_completed', 'agent_error'] as const) {
      const path = started();
      path.admit(terminal);
      expect(codeOf(() => path.admit(next, 'late')), next).toBe('AW_ERR_NOTIFIER_ENDED');
      expect(path.state().terminal).toBe(terminal);
    }
  });

  it('tool_completed for an unknown, missing or already completed id → AW_ERR_NOTIFIER_UNKNOWN_TOOL_CALL', () => {
    const path = started();
    expect(codeOf(() => path.admit('tool_completed', 'never'))).toBe('AW_ERR_NOTIFIER_UNKNOWN_TOOL_CALL');
    expect(codeOf(() => path.admit('tool_completed'))).toBe('AW_ERR_NOTIFIER_UNKNOWN_TOOL_CALL');
    path.admit('tool_executing', 'x');
    path.admit('tool_completed', 'x');
    expect(codeOf(() => path.admit('tool_completed', 'x'))).toBe('AW_ERR_NOTIFIER_UNKNOWN_TOOL_CALL');
  });

  it('tool_executing with an id used before in the run, or none → AW_ERR_NOTIFIER_DUPLICATE_TOOL_CALL', () => {
    const path = started();
    path.admit('tool_executing', 'x');
    expect(codeOf(() => path.admit('tool_executing', 'x'))).toBe('AW_ERR_NOTIFIER_DUPLICATE_TOOL_CALL');
    path.admit('tool_completed', 'x');
    // Reusing a completed id would make tool_completed pairs ambiguous for clients.
    expect(codeOf(() => path.admit('tool_executing', 'x'))).toBe('AW_ERR_NOTIFIER_DUPLICATE_TOOL_CALL');
    expect(codeOf(() => path.admit('tool_executing'))).toBe('AW_ERR_NOTIFIER_DUPLICATE_TOOL_CALL');
  });

  it.each(['agent_completed', 'agent_error'] as const)('%s with a tool call open → AW_ERR_NOTIFIER_TOOL_CALLS_OPEN, and the run goes on', (terminal) => {
    const path = started();
    path.admit('tool_executing', 'open-one');
    expect(codeOf(() => path.admit(terminal))).toBe('AW_ERR_NOTIFIER_TOOL_CALLS_OPEN');
    expect(path.ended).toBe(false);
    path.admit('tool_completed', 'open-one');
    path.admit(terminal);
    expect(path.state().complete).toBe(true);
  });

  it('the open-calls error names the calls still open', () => {
    const path = started();
    path.admit('tool_executing', 'call_7');
    expect(() => path.admit('agent_completed')).toThrow(/call_7/);
  });
});
