import type { PendingAnswer, PendingRef, PendingRequests } from '../bus/types.js';
import { newId } from '../ids.js';
import type { ApprovalDecision, Notifier } from '../notifier/notifier.js';

/** How long a run waits for its user (protocol 1.2), and how long answers are remembered. */
export interface InteractionSettings {
  /** An approval request not answered within this ends `expired` (denied). */
  readonly approvalTimeoutMs: number;
  /** A client tool call not answered within this completes with an `error`. */
  readonly clientToolTimeoutMs: number;
}

/** After its wait, a request is remembered this long, so an answer resent after a reconnect gets `already_resolved`. */
export const ANSWER_MEMORY_MS = 15 * 60_000;

/** What an agent asks the user to allow. */
export interface ApprovalRequest {
  readonly toolName: string;
  readonly args: unknown;
  /** Shown to the user: why the agent wants this. */
  readonly reason?: string | undefined;
  /** The call's id; the tool's `tool_executing` reuses it when approved. */
  readonly toolCallId?: string | undefined;
}

export type ClientToolOutcome = { readonly ok: true; readonly result: unknown } | { readonly ok: false; readonly error: string };

interface Deps {
  readonly pending: PendingRequests;
  readonly notifier: Notifier;
  readonly signal: AbortSignal;
  /** Pauses the run's own timeout while it waits for an approval. */
  readonly pauseBudget: () => () => void;
  readonly settings: InteractionSettings;
}

/**
 * The agent's side of protocol 1.2's approvals and client tools for one run: each request
 * is opened on the bus, announced on the stream, and waited for until the first answer
 * from any tab on any process, its timeout, or the run's end. The answer, whichever it is,
 * is settled on the bus once, so every other answer gets `already_resolved`.
 */
export class RunInteractions {
  /** Requests announced and not yet answered, settled `cancelled` if the run ends first. */
  private readonly waiting = new Map<string, PendingRef>();

  constructor(private readonly deps: Deps) {}

  /**
   * Asks the user whether a tool may run. Resolves with the decision once it is on the
   * stream (`tool_approval_resolved`); rejects when the run is stopped meanwhile, whose
   * terminal event then resolves the request `cancelled`.
   */
  async requestApproval(request: ApprovalRequest): Promise<ApprovalDecision> {
    const { notifier, settings } = this.deps;
    const toolCallId = request.toolCallId ?? newId('call');
    const ref: PendingRef = { runId: notifier.runId, toolCallId, kind: 'approval' };
    const expiresAt = new Date(Date.now() + settings.approvalTimeoutMs);
    const resume = this.deps.pauseBudget();
    let answer: PendingAnswer;
    try {
      answer = await this.ask(ref, settings.approvalTimeoutMs, { by: 'expired', value: null }, () =>
        notifier.approvalRequested({ toolCallId, toolName: request.toolName, args: request.args, reason: request.reason, expiresAt }),
      );
    } finally {
      resume();
    }
    const decision = approvalDecision(answer);
    if (notifier.isApprovalOpen(toolCallId)) await notifier.approvalResolved(toolCallId, decision);
    return decision;
  }

  /**
   * Has the user's front end run a tool: `tool_executing` with `executor: "client"`, then
   * the first `tool_result` from any tab becomes `tool_completed`; none within the timeout
   * completes it with an error.
   */
  async callClientTool(toolName: string, args: unknown, toolCallId: string = newId('call')): Promise<ClientToolOutcome> {
    const { notifier, settings } = this.deps;
    const ref: PendingRef = { runId: notifier.runId, toolCallId, kind: 'client_tool' };
    const expired = { error: `the client did not answer within ${settings.clientToolTimeoutMs} ms` };
    const answer = await this.ask(ref, settings.clientToolTimeoutMs, { by: 'expired', value: expired }, () =>
      notifier.toolExecuting(toolName, args, toolCallId, 'client'),
    );
    const outcome = clientToolOutcome(answer);
    await notifier.toolCompleted(toolCallId, outcome.ok ? { result: outcome.result } : { error: outcome.error });
    return outcome;
  }

  /**
   * Settles every request still waiting as `cancelled`, so an answer sent after the run
   * ended gets `already_resolved`. The runner calls it before the terminal event, whose
   * `notifier.failed` puts the `cancelled` resolutions on the stream.
   */
  async cancelOpen(): Promise<void> {
    const refs = [...this.waiting.values()];
    this.waiting.clear();
    await Promise.allSettled(refs.map((ref) => this.deps.pending.settle(ref, { by: 'cancelled', value: null })));
  }

  private async ask(ref: PendingRef, timeoutMs: number, expired: PendingAnswer, announce: () => Promise<unknown>): Promise<PendingAnswer> {
    const { pending, signal } = this.deps;
    signal.throwIfAborted();
    await pending.open(ref, timeoutMs + ANSWER_MEMORY_MS);
    let deliver: (answer: PendingAnswer) => void = () => {};
    const answered = new Promise<PendingAnswer>((resolve) => (deliver = resolve));
    // Listening before the request is on the stream: no answer can come before it.
    const unlisten = pending.onSettled((settled, answer) => {
      if (settled.runId === ref.runId && settled.toolCallId === ref.toolCallId) deliver(answer);
    });
    this.waiting.set(ref.toolCallId, ref);
    let timer: ReturnType<typeof setTimeout> | undefined;
    try {
      await announce();
      // The timeout settles like any answer: if a user's answer won first (its message lost
      // on pub/sub, say), that answer is what this returns.
      timer = setTimeout(() => void this.settleOwn(ref, expired).then(deliver), timeoutMs);
      const answer = await untilAborted(answered, signal);
      this.waiting.delete(ref.toolCallId);
      return answer;
    } finally {
      clearTimeout(timer);
      unlisten();
    }
  }

  private async settleOwn(ref: PendingRef, answer: PendingAnswer): Promise<PendingAnswer> {
    try {
      const outcome = await this.deps.pending.settle(ref, answer);
      return outcome.outcome === 'already_resolved' ? outcome.answer : answer;
    } catch {
      // The bus is unreachable: the run still ends its wait; an answer sent meanwhile finds no open request.
      return answer;
    }
  }
}

function approvalDecision(answer: PendingAnswer): ApprovalDecision {
  if (answer.by !== 'user') return { approved: false, resolution: answer.by };
  const value = answer.value as { approved?: unknown; reason?: unknown } | null;
  const reason = typeof value?.reason === 'string' ? value.reason : undefined;
  return { approved: value?.approved === true, resolution: 'user', ...(reason !== undefined && { reason }) };
}

function clientToolOutcome(answer: PendingAnswer): ClientToolOutcome {
  const value = answer.value as { result?: unknown; error?: unknown } | null;
  if (answer.by === 'cancelled') return { ok: false, error: 'the run ended before the client answered' };
  if (typeof value?.error === 'string') return { ok: false, error: value.error };
  return { ok: true, result: value?.result };
}

function untilAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    void work.then((value) => {
      signal.removeEventListener('abort', onAbort);
      resolve(value);
    });
  });
}
