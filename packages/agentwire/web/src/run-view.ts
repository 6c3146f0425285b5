import { formatDuration, formatTime, formatValue, h } from './dom.js';
import type { Run, Step, ToolCall } from './thread-model.js';

export interface RunViewHooks {
  stop(runId: string): void;
  /** Tool calls the person opened, so a re-render keeps them open. */
  openTools: Set<string>;
}

/** The card of one run: the question, the agent's steps, the streamed answer and timing. */
export function renderRun(run: Run, hooks: RunViewHooks): HTMLElement {
  return h(
    'article',
    { class: `run run--${run.status}`, 'data-testid': 'run', 'data-run-id': run.runId, 'data-status': run.status },
    h('div', { class: 'bubble bubble--user', 'data-testid': 'user-message' }, run.userText),
    h(
      'div',
      { class: 'agent' },
      h(
        'header',
        { class: 'agent__meta' },
        h('span', { class: 'agent__name' }, run.agentName ?? 'agent'),
        h('span', { class: 'agent__time', 'data-testid': 'run-started' }, formatTime(run.startedAt)),
        statusBadge(run),
        run.status === 'running' &&
          h('button', { class: 'link-button', type: 'button', 'data-testid': 'stop-run', onclick: () => hooks.stop(run.runId) }, 'Stop'),
      ),
      run.steps.length > 0 && h('ol', { class: 'steps' }, ...run.steps.map((step) => renderStep(step, hooks.openTools))),
      (run.answer || run.status === 'running') &&
        h('div', { class: `answer${run.answer ? '' : ' answer--waiting'}`, 'data-testid': 'answer' }, run.answer || thinkingDots()),
      run.error &&
        h(
          'div',
          { class: 'run-error', role: 'alert', 'data-testid': 'run-error', 'data-code': run.error.code },
          h('strong', {}, errorTitle(run.error.code)),
          ' ',
          run.error.message,
        ),
    ),
  );
}

function statusBadge(run: Run): HTMLElement {
  if (run.status === 'running') {
    return h('span', { class: 'badge badge--running', 'data-testid': 'run-duration', 'data-started': run.startedAt }, 'working…');
  }
  const label = run.durationMs === undefined ? '' : formatDuration(run.durationMs);
  return h('span', { class: `badge badge--${run.status}`, 'data-testid': 'run-duration' }, run.status === 'completed' ? `done in ${label}` : `stopped after ${label}`);
}

function renderStep(step: Step, openTools: Set<string>): HTMLElement {
  if (step.kind === 'thinking') return h('li', { class: 'step step--thinking', 'data-testid': 'thinking' }, step.text);
  return h('li', { class: 'step step--tool' }, renderTool(step.call, openTools));
}

function renderTool(call: ToolCall, openTools: Set<string>): HTMLElement {
  const done = call.durationMs !== undefined;
  const details = h(
    'details',
    { class: `tool${call.error ? ' tool--error' : ''}`, 'data-testid': 'tool-call', 'data-tool-name': call.name, open: openTools.has(call.id) },
    h(
      'summary',
      { class: 'tool__summary' },
      h('span', { class: 'tool__icon', 'aria-hidden': 'true' }, toolIcon(call.name)),
      h('span', { class: 'tool__name' }, call.name),
      h('code', { class: 'tool__inline-args' }, inlineArgs(call.args)),
      h(
        'span',
        { class: 'tool__state', 'data-testid': 'tool-state' },
        !done ? 'running…' : call.error ? `failed · ${formatDuration(call.durationMs!)}` : `${inlineResult(call.result)} · ${formatDuration(call.durationMs!)}`,
      ),
    ),
    h(
      'div',
      { class: 'tool__body' },
      h('div', { class: 'tool__label' }, 'Arguments'),
      h('pre', { 'data-testid': 'tool-args' }, formatValue(call.args)),
      done && h('div', { class: 'tool__label' }, call.error ? 'Error' : 'Result'),
      done && h('pre', { 'data-testid': 'tool-result' }, call.error ?? formatValue(call.result)),
    ),
  );
  details.addEventListener('toggle', () => (details.open ? openTools.add(call.id) : openTools.delete(call.id)));
  return details;
}

function inlineArgs(args: unknown): string {
  if (args && typeof args === 'object') {
    const values = Object.values(args as Record<string, unknown>);
    if (values.length === 1 && typeof values[0] !== 'object') return String(values[0]);
  }
  const text = JSON.stringify(args) ?? '';
  return text.length > 60 ? `${text.slice(0, 57)}…` : text;
}

function inlineResult(result: unknown): string {
  if (result && typeof result === 'object') {
    const record = result as Record<string, unknown>;
    for (const key of ['value', 'result', 'text', 'time']) if (key in record && typeof record[key] !== 'object') return `→ ${String(record[key])}`;
  }
  if (typeof result === 'string' || typeof result === 'number') return `→ ${result}`;
  return 'done';
}

function toolIcon(name: string): string {
  return name === 'calculator' ? '∑' : name === 'clock' ? '◷' : name === 'notes' ? '✎' : '⚙';
}

function thinkingDots(): HTMLElement {
  return h('span', { class: 'dots', 'aria-label': 'working' }, h('i'), h('i'), h('i'));
}

function errorTitle(code: string): string {
  switch (code) {
    case 'cancelled':
      return 'Stopped.';
    case 'timeout':
      return 'Timed out.';
    case 'shutdown':
      return 'The server restarted.';
    default:
      return 'The agent failed.';
  }
}
