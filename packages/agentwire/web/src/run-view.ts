import { formatDuration, formatTime, formatValue, h } from './dom.js';
import { renderMarkdown } from './markdown.js';
import type { Run, Step, ToolCall } from './thread-model.js';
import { toolSummary } from './tool-summary.js';

export interface RunViewHooks {
  stop(runId: string): void;
  /** Sends the run's question again, as a new run in the same thread. */
  retry(run: Run): void;
  /** The name people see for an agent (the LLM agent: its model), by agent name. */
  agentLabel(name: string | undefined): string;
  /** Tool calls the person opened, so a re-render keeps them open. */
  openTools: Set<string>;
}

/** The card of one run: the question, the agent's steps, the streamed answer and timing. */
export function renderRun(run: Run, hooks: RunViewHooks): HTMLElement {
  const ended = run.status !== 'running';
  return h(
    'article',
    { class: `run run--${run.status}`, 'data-testid': 'run', 'data-run-id': run.runId, 'data-status': run.status },
    // An agent-initiated run (a producer's, a scheduled job's) has no user message to show.
    run.userText !== '' && h('div', { class: 'bubble bubble--user', 'data-testid': 'user-message' }, run.userText),
    h(
      'div',
      { class: 'agent' },
      h(
        'header',
        { class: 'agent__meta' },
        h('span', { class: 'agent__name', 'data-testid': 'agent-name' }, hooks.agentLabel(run.agentName)),
        h('span', { class: 'agent__time', 'data-testid': 'run-started' }, formatTime(run.startedAt)),
        statusBadge(run),
        run.status === 'running' &&
          h('button', { class: 'link-button', type: 'button', 'data-testid': 'stop-run', onclick: () => hooks.stop(run.runId) }, 'Stop'),
        ended && run.status !== 'completed' && run.userText !== '' &&
          h('button', { class: 'link-button link-button--accent', type: 'button', 'data-testid': 'retry-run', onclick: () => hooks.retry(run) }, 'Retry'),
      ),
      run.steps.length > 0 && h('ol', { class: 'steps' }, ...run.steps.map((step) => renderStep(step, hooks.openTools))),
      run.answer
        ? h('div', { class: 'answer', 'data-testid': 'answer' }, renderMarkdown(run.answer))
        : run.status === 'running' && h('div', { class: 'answer answer--waiting', 'data-testid': 'answer' }, thinkingDots()),
      run.error &&
        run.status !== 'cancelled' &&
        h('div', { class: 'run-error', role: 'alert', 'data-testid': 'run-error', 'data-code': run.error.code }, h('strong', {}, errorTitle(run.status)), ' ', run.error.message),
    ),
  );
}

const BADGES: Record<Exclude<Run['status'], 'running'>, string> = {
  completed: 'done',
  failed: 'failed',
  timeout: 'timed out',
  cancelled: 'stopped',
  shutdown: 'interrupted',
};

function statusBadge(run: Run): HTMLElement {
  if (run.status === 'running') {
    return h('span', { class: 'badge badge--running', 'data-testid': 'run-duration', 'data-started': run.startedAt }, 'working…');
  }
  const after = run.durationMs === undefined ? '' : ` ${run.status === 'completed' ? 'in' : 'after'} ${formatDuration(run.durationMs)}`;
  return h('span', { class: `badge badge--${run.status}`, 'data-testid': 'run-badge', 'data-outcome': run.status }, `${BADGES[run.status]}${after}`);
}

function renderStep(step: Step, openTools: Set<string>): HTMLElement {
  if (step.kind === 'thinking') return h('li', { class: 'step step--thinking', 'data-testid': 'thinking' }, step.text);
  return h('li', { class: 'step step--tool' }, renderTool(step.call, openTools));
}

function renderTool(call: ToolCall, openTools: Set<string>): HTMLElement {
  const summary = toolSummary(call);
  const details = h(
    'details',
    { class: `tool${call.error ? ' tool--error' : ''}`, 'data-testid': 'tool-call', 'data-tool-name': call.name, open: openTools.has(call.id) },
    h(
      'summary',
      { class: 'tool__summary' },
      h('span', { class: 'tool__icon', 'aria-hidden': 'true' }, toolIcon(call.name)),
      h('span', { class: 'tool__name' }, call.name),
      h('code', { class: 'tool__inline-args', 'data-testid': 'tool-inline-args' }, summary.args),
      h('span', { class: 'tool__state', 'data-testid': 'tool-state' }, summary.state),
    ),
    h(
      'div',
      { class: 'tool__body' },
      h('div', { class: 'tool__label' }, 'Arguments'),
      h('pre', { 'data-testid': 'tool-args' }, formatValue(call.args)),
      call.durationMs !== undefined && h('div', { class: 'tool__label' }, call.error ? 'Error' : 'Result'),
      call.durationMs !== undefined && h('pre', { 'data-testid': 'tool-result' }, call.error ?? formatValue(call.result)),
    ),
  );
  details.addEventListener('toggle', () => (details.open ? openTools.add(call.id) : openTools.delete(call.id)));
  return details;
}

function toolIcon(name: string): string {
  return name === 'calculator' ? '∑' : name === 'clock' ? '◷' : name === 'notes' ? '✎' : '⚙';
}

function thinkingDots(): HTMLElement {
  return h('span', { class: 'dots', 'aria-label': 'working' }, h('i'), h('i'), h('i'));
}

function errorTitle(status: Run['status']): string {
  switch (status) {
    case 'timeout':
      return 'Timed out.';
    case 'shutdown':
      return 'The server restarted.';
    default:
      return 'Failed.';
  }
}
