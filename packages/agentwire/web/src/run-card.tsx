import { useState } from 'react';
import type { AssistantMessage, MessagePart } from '../../src/index.js';
import type { ThreadTurnView } from '../../src/react.js';
import { ApprovalCard } from './approval-card.js';
import { DataPartView } from './data-part.js';
import { formatDuration, formatTime, formatValue } from './dom.js';
import { MarkdownView } from './markdown-view.js';
import { toolSummary, type ToolCall } from './tool-summary.js';

type RunStatus = AssistantMessage['status'];
type DataPart = Extract<MessagePart, { type: 'data' }>;
type StepPart = Extract<MessagePart, { type: 'thinking' | 'tool_call' | 'approval' }> | DataPart;

export interface RunCardProps {
  turn: ThreadTurnView;
  /** The name people see for an agent (the LLM agent: its model), by agent name. */
  agentLabel(name: string | undefined): string;
  /** Tool calls the person opened, so a re-render keeps them open. */
  openTools: Set<string>;
  /** Now, ticking while runs are in flight (the "working…" badge counts). */
  now: number;
  onStop(runId: string): void;
  /** Sends the run's question again, as a new run in the same thread. */
  onRetry(text: string, agentName: string | undefined): void;
  /** Answers one of the run's approval requests; resolves once it is resolved. */
  onApprove(runId: string, toolCallId: string, approved: boolean): Promise<void>;
}

/** The card of one run: the question, the agent's steps, the streamed answer and timing. */
export function RunCard({ turn, agentLabel, openTools, now, onStop, onRetry, onApprove }: RunCardProps) {
  const { user, assistant } = turn;
  const status: RunStatus = assistant?.status ?? 'running';
  const startedAt = user?.created_at ?? assistant?.created_at ?? new Date(now).toISOString();
  const userText = user?.text ?? '';
  const agentName = assistant?.agent_name || undefined;
  const answer = assistant?.text ?? '';
  const { steps, extras } = arrangeParts(assistant?.parts ?? []);
  // Protocol 1.2 "Busy threads": accepted while the thread was busy; it waits until its run
  // starts (the assistant message appears with agent_started). History says so too, so the
  // marker is the same in every tab and after a reload.
  const queued = user?.queued === true && assistant === undefined;
  return (
    <article className={`run run--${queued ? 'queued' : status}`} data-testid="run" data-run-id={turn.runId} data-status={status} data-queued={queued}>
      <div className={`bubble bubble--user${queued ? ' bubble--queued' : ''}`} data-testid="user-message">
        {userText}
      </div>
      <div className="agent">
        <header className="agent__meta">
          <span className="agent__name" data-testid="agent-name">
            {agentLabel(agentName)}
          </span>
          <span className="agent__time" data-testid="run-started">
            {formatTime(startedAt)}
          </span>
          {queued ? (
            <span className="badge badge--queued" data-testid="queued-badge">
              queued
            </span>
          ) : (
            <StatusBadge status={status} startedAt={startedAt} durationMs={assistant?.duration_ms} now={now} awaitingYou={awaitingApproval(assistant)} />
          )}
          {assistant?.usage && status !== 'running' && (
            <span className="agent__usage" data-testid="run-usage" title={`${assistant.usage.total_tokens} tokens in all`}>
              {`${assistant.usage.input_tokens} in · ${assistant.usage.output_tokens} out tokens`}
            </span>
          )}
          {status === 'running' && (
            <button className="link-button" type="button" data-testid="stop-run" onClick={() => onStop(turn.runId)}>
              Stop
            </button>
          )}
          {status !== 'running' && status !== 'completed' && userText !== '' && (
            <button className="link-button link-button--accent" type="button" data-testid="retry-run" onClick={() => onRetry(userText, agentName)}>
              Retry
            </button>
          )}
        </header>
        {steps.length > 0 && (
          <ol className="steps">
            {steps.map((part, index) => (
              <Step
                key={part.type === 'tool_call' || part.type === 'approval' ? `${part.type}-${part.tool_call_id}` : `${part.type}-${index}`}
                part={part}
                openTools={openTools}
                onApprove={(toolCallId, approved) => onApprove(turn.runId, toolCallId, approved)}
              />
            ))}
          </ol>
        )}
        {answer ? (
          <MarkdownView source={answer} />
        ) : (
          status === 'running' &&
          !queued && (
            <div className="answer answer--waiting" data-testid="answer">
              <span className="dots" aria-label="working">
                <i />
                <i />
                <i />
              </span>
            </div>
          )
        )}
        {extras.map((part, index) => (
          <DataPartView key={index} part={part} />
        ))}
        {assistant?.error && status !== 'cancelled' && (
          <div className="run-error" role="alert" data-testid="run-error" data-code={assistant.error.code}>
            <strong>{errorTitle(status)}</strong> {assistant.error.message}
          </div>
        )}
      </div>
    </article>
  );
}

const BADGES: Record<Exclude<RunStatus, 'running'>, string> = {
  completed: 'done',
  failed: 'failed',
  timeout: 'timed out',
  cancelled: 'stopped',
  shutdown: 'interrupted',
};

/** The run waits for the user's answer to an approval request (protocol 1.2 "Approvals"). */
function awaitingApproval(assistant: AssistantMessage | undefined): boolean {
  return assistant?.parts.some((part) => part.type === 'approval' && part.status === 'pending') ?? false;
}

interface StatusBadgeProps {
  status: RunStatus;
  startedAt: string;
  durationMs: number | undefined;
  now: number;
  awaitingYou: boolean;
}

function StatusBadge({ status, startedAt, durationMs, now, awaitingYou }: StatusBadgeProps) {
  if (status === 'running' && awaitingYou) {
    return (
      <span className="badge badge--awaiting" data-testid="run-duration" data-awaiting="true">
        waiting for your approval
      </span>
    );
  }
  if (status === 'running') {
    const elapsed = now - Date.parse(startedAt);
    return (
      <span className="badge badge--running" data-testid="run-duration" data-started={startedAt}>
        {elapsed > 0 ? `working… ${formatDuration(elapsed)}` : 'working…'}
      </span>
    );
  }
  const after = durationMs === undefined ? '' : ` ${status === 'completed' ? 'in' : 'after'} ${formatDuration(durationMs)}`;
  return (
    <span className={`badge badge--${status}`} data-testid="run-badge" data-outcome={status}>
      {`${BADGES[status]}${after}`}
    </span>
  );
}

/**
 * The steps (thinking, tool calls, and the run's latest progress in the place it was
 * reported: each progress part replaces the one before) and the extras shown under the
 * answer (citations and other data parts, in order). The text parts are the answer.
 */
function arrangeParts(parts: readonly MessagePart[]): { steps: StepPart[]; extras: DataPart[] } {
  const lastProgress = parts.findLastIndex((part) => part.type === 'data' && part.name === 'progress');
  const steps: StepPart[] = [];
  const extras: DataPart[] = [];
  parts.forEach((part, index) => {
    if (part.type === 'thinking' || part.type === 'tool_call' || part.type === 'approval') steps.push(part);
    else if (part.type === 'data' && part.name === 'progress') {
      if (index === lastProgress) steps.push(part);
    } else if (part.type === 'data') extras.push(part);
  });
  return { steps, extras };
}

function Step({ part, openTools, onApprove }: { part: StepPart; openTools: Set<string>; onApprove(toolCallId: string, approved: boolean): Promise<void> }) {
  switch (part.type) {
    case 'approval':
      return (
        <li className="step step--approval">
          <ApprovalCard part={part} onAnswer={onApprove} />
        </li>
      );
    case 'thinking':
      return (
        <li className="step step--thinking" data-testid="thinking">
          {part.text}
        </li>
      );
    case 'data':
      return (
        <li className="step step--data">
          <DataPartView part={part} />
        </li>
      );
    case 'tool_call':
      return (
        <li className="step step--tool">
          <ToolDetails call={part} openTools={openTools} />
        </li>
      );
  }
}

function ToolDetails({ call, openTools }: { call: ToolCall; openTools: Set<string> }) {
  const [open, setOpen] = useState(() => openTools.has(call.tool_call_id));
  const summary = toolSummary(call);
  const ended = call.duration_ms !== undefined;
  return (
    <details
      className={`tool${call.error ? ' tool--error' : ''}`}
      data-testid="tool-call"
      data-tool-name={call.tool_name}
      open={open}
      onToggle={(event) => {
        const isOpen = event.currentTarget.open;
        if (isOpen) openTools.add(call.tool_call_id);
        else openTools.delete(call.tool_call_id);
        setOpen(isOpen);
      }}
    >
      <summary className="tool__summary">
        <span className="tool__icon" aria-hidden="true">
          {toolIcon(call.tool_name)}
        </span>
        <span className="tool__name">{call.tool_name}</span>
        <code className="tool__inline-args" data-testid="tool-inline-args">
          {summary.args}
        </code>
        <span className="tool__state" data-testid="tool-state">
          {summary.state}
        </span>
      </summary>
      <div className="tool__body">
        <div className="tool__label">Arguments</div>
        <pre data-testid="tool-args">{formatValue(call.args)}</pre>
        {ended && <div className="tool__label">{call.error ? 'Error' : 'Result'}</div>}
        {ended && <pre data-testid="tool-result">{call.error ?? formatValue(call.result)}</pre>}
      </div>
    </details>
  );
}

function toolIcon(name: string): string {
  return name === 'calculator' ? '∑' : name === 'clock' ? '◷' : name === 'notes' ? '✎' : '⚙';
}

function errorTitle(status: RunStatus): string {
  switch (status) {
    case 'timeout':
      return 'Timed out.';
    case 'shutdown':
      return 'The server restarted.';
    default:
      return 'Failed.';
  }
}
