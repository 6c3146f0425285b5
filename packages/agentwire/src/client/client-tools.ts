import type { ClientToolSpec, StreamEvent } from '../protocol/types.js';

/** Runs one client tool call in this tab; its value is the `result`, a throw becomes the `error`. */
export type ClientToolHandler = (args: unknown, call: ClientToolCall) => unknown;

export interface ClientToolCall {
  readonly runId: string;
  readonly toolCallId: string;
  readonly toolName: string;
}

export interface ClientToolsOptions {
  /**
   * How long a tab that did not send the run's message waits before running a client tool
   * itself, in case the sending tab is gone (default 1500 ms). The sending tab runs it at once.
   */
  graceMs?: number;
}

export type ClientToolAnswer = { result: unknown } | { error: string };

/** Runs needed per tab are few; a bounded memory of call ids keeps a long session small. */
const REMEMBERED_CALLS = 500;

/**
 * The app's client tools (docs/protocol.md, "Client tools") and the rule for which tab runs
 * a call: the server keeps the first answer from any tab (every later one gets
 * `already_resolved`), so running a handler in every tab would be correct but wasteful.
 * Instead the tab that sent the run's message runs it at once, and any other tab runs it
 * only if no `tool_completed` has arrived after `graceMs` (the sending tab was closed or
 * reloaded). A tab never runs the same call twice.
 */
export class ClientTools {
  private readonly handlers = new Map<string, { spec: ClientToolSpec; handler: ClientToolHandler }>();
  /** Messages this tab sent, and the runs they started. */
  private readonly sentMessages = new Set<string>();
  private readonly ownRuns = new Set<string>();
  /** Calls this tab has run, or seen completed. */
  private readonly settled = new Set<string>();
  private readonly waiting = new Map<string, ReturnType<typeof setTimeout>>();
  private readonly graceMs: number;

  constructor(
    private readonly answer: (runId: string, toolCallId: string, outcome: ClientToolAnswer) => void,
    options: ClientToolsOptions = {},
  ) {
    this.graceMs = options.graceMs ?? 1500;
  }

  register(spec: ClientToolSpec, handler: ClientToolHandler): () => void {
    const entry = { spec: { ...spec }, handler };
    this.handlers.set(spec.name, entry);
    return () => {
      if (this.handlers.get(spec.name) === entry) this.handlers.delete(spec.name);
    };
  }

  /** The specs offered with each message (`user_message.client_tools`). */
  specs(): ClientToolSpec[] {
    return [...this.handlers.values()].map((entry) => entry.spec);
  }

  /** Called for each message this tab sends: its run's client tool calls are this tab's to run. */
  sent(clientMsgId: string): void {
    remember(this.sentMessages, clientMsgId);
  }

  /** Sees every stream event in order. */
  observe(event: StreamEvent): void {
    // The run's `user_message` comes before its events on the stream, so the run is known as ours in time.
    if (event.type === 'user_message' && this.sentMessages.has(event.data.client_msg_id)) {
      remember(this.ownRuns, event.run_id);
      return;
    }
    if (event.type === 'tool_completed') {
      this.settle(event.data.tool_call_id);
      return;
    }
    if (event.type !== 'tool_executing' || event.data.executor !== 'client') return;
    const id = event.data.tool_call_id;
    const entry = this.handlers.get(event.data.tool_name);
    if (!entry || this.settled.has(id) || this.waiting.has(id)) return;
    const call: ClientToolCall = { runId: event.run_id, toolCallId: id, toolName: event.data.tool_name };
    if (this.ownRuns.has(event.run_id)) {
      this.execute(entry.handler, event.data.args, call);
      return;
    }
    this.waiting.set(
      id,
      setTimeout(() => {
        this.waiting.delete(id);
        if (!this.settled.has(id)) this.execute(entry.handler, event.data.args, call);
      }, this.graceMs),
    );
  }

  close(): void {
    for (const timer of this.waiting.values()) clearTimeout(timer);
    this.waiting.clear();
  }

  private settle(toolCallId: string): void {
    clearTimeout(this.waiting.get(toolCallId));
    this.waiting.delete(toolCallId);
    remember(this.settled, toolCallId);
  }

  private execute(handler: ClientToolHandler, args: unknown, call: ClientToolCall): void {
    this.settle(call.toolCallId);
    void (async () => {
      let outcome: ClientToolAnswer;
      try {
        outcome = { result: await handler(args, call) };
      } catch (error) {
        outcome = { error: error instanceof Error ? error.message : String(error) };
      }
      this.answer(call.runId, call.toolCallId, outcome);
    })();
  }
}

function remember(set: Set<string>, value: string): void {
  set.add(value);
  if (set.size > REMEMBERED_CALLS) set.delete(set.values().next().value!);
}
