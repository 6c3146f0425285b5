import type { Agent, AgentContext } from '../../agents/types.js';
import { isAgentwireError } from '../../errors.js';
import type { RunErrorCode, StreamEvent } from '../../protocol/types.js';
import type { ProducerEvent } from './producer-schemas.js';

/** What became of one appended event: its type as it went on the stream and its seq there. */
export interface AppendedResult {
  readonly key: string;
  readonly type: StreamEvent['type'];
  readonly seq: number;
}

/** Why a run ended without its producer ending it: `stop_agent`, the silence timeout, shutdown... */
export interface StopReason {
  readonly code: RunErrorCode;
  readonly message: string;
}

export type AppendOutcome =
  | { readonly ok: true; readonly results: AppendedResult[] }
  /** A golden-path rule refused `refusedKey`; the events before it were appended (`results`). */
  | { readonly ok: false; readonly kind: 'golden_path'; readonly rule: string; readonly message: string; readonly refusedKey: string; readonly results: AppendedResult[] }
  /** The run ended without its producer (stopped, timed out, shut down): nothing more is appended. */
  | { readonly ok: false; readonly kind: 'stopped'; readonly reason: StopReason; readonly results: AppendedResult[] };

export interface RemoteRunOptions {
  readonly agentName: string;
  /** The producer's silence after which the run ends with `agent_error` `timeout`. */
  readonly silenceMs: number;
}

/**
 * One run whose agent lives outside the process (docs/producers.md): the `Agent` the runner
 * executes for it only waits, while the producer's HTTP appends drive the run's notifier.
 * So the run has every part of an in-process one: the runner's frame (`agent_started`, one
 * terminal event), the golden-path checks of the notifier, its RunRecorder, `stop_agent`
 * through the run's signal, the run directory.
 */
export class RemoteRun {
  readonly agent: Agent;
  /** Idempotency: each key's append, kept from the moment it is applied so a racing retry shares it. */
  private readonly applied = new Map<string, Promise<AppendedResult>>();
  private context: AgentContext | undefined;
  private readonly attached: Promise<AgentContext | undefined>;
  private attach!: (context: AgentContext | undefined) => void;
  private release!: () => void;
  private silence: NodeJS.Timeout | undefined;
  private stopReason: StopReason | undefined;
  private endedByProducer = false;
  private closed = false;
  private readonly stopWaiters = new Set<() => void>();

  constructor(private readonly options: RemoteRunOptions) {
    this.attached = new Promise((resolve) => (this.attach = resolve));
    const held = new Promise<void>((resolve) => (this.release = resolve));
    this.agent = {
      name: options.agentName,
      description: 'an agent outside the process, driven over the producer API',
      // Each producer event, with its idempotency key, is one stream event (docs/producers.md).
      coalesceDeltas: false,
      run: (_input, context) => {
        this.context = context;
        context.signal.addEventListener('abort', () => this.onAbort(context.signal.reason), { once: true });
        this.touch();
        this.attach(context);
        return held;
      },
    };
  }

  /** Why the run ended without its producer, once it has. */
  get stopped(): StopReason | undefined {
    return this.stopReason;
  }

  /** The runner is done with the run (its terminal event appended, or it never started). */
  close(): void {
    this.closed = true;
    clearTimeout(this.silence);
    this.stopReason ??= this.endedByProducer ? undefined : { code: 'failed', message: 'the run ended' };
    this.attach(undefined);
    this.release();
    this.wakeStopWaiters();
  }

  /**
   * Appends the events in order, each once per key. The first one a golden-path rule refuses
   * is not appended, nor any after it; a key seen before answers its first result.
   */
  async append(events: readonly ProducerEvent[]): Promise<AppendOutcome> {
    this.touch();
    const context = await this.attached;
    const outcomes: Promise<AppendedResult>[] = [];
    // No await in this loop: a racing request with the same keys sees them all applied or none.
    for (const event of events) {
      const known = this.applied.get(event.key);
      if (known) {
        outcomes.push(known);
        continue;
      }
      if (this.stopReason || !context) return { ok: false, kind: 'stopped', reason: this.stopReason ?? ENDED, results: await Promise.all(outcomes) };
      let outcome: Promise<AppendedResult>;
      try {
        outcome = this.apply(context, event);
      } catch (error) {
        if (!isAgentwireError(error)) throw error;
        return { ok: false, kind: 'golden_path', rule: error.code, message: error.message, refusedKey: event.key, results: await Promise.all(outcomes) };
      }
      this.applied.set(event.key, outcome);
      outcomes.push(outcome);
    }
    return { ok: true, results: await Promise.all(outcomes) };
  }

  /** Resolves once the run is asked to stop or ends, or after `waitMs`: the long-poll of stop requests. */
  waitForStop(waitMs: number): Promise<StopReason | undefined> {
    this.touch();
    if (this.stopReason || this.closed) return Promise.resolve(this.stopReason);
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.stopWaiters.delete(done);
        resolve(this.stopReason);
      };
      const timer = setTimeout(done, waitMs);
      this.stopWaiters.add(done);
    });
  }

  /** Calls the notifier for one event; a golden-path misuse throws before anything is appended. */
  private apply(context: AgentContext, event: ProducerEvent): Promise<AppendedResult> {
    const { notifier } = context;
    const result = (appended: Promise<StreamEvent>): Promise<AppendedResult> =>
      appended.then((e) => ({ key: event.key, type: e.type, seq: e.seq }));
    switch (event.type) {
      case 'agent_thinking':
        return result(notifier.thinking(event.data.text));
      case 'agent_message_delta':
        return result(notifier.delta(event.data.delta));
      case 'tool_executing':
        return result(notifier.toolExecuting(event.data.tool_name, event.data.args, event.data.tool_call_id));
      case 'tool_completed': {
        const { data } = event;
        return result(notifier.toolCompleted(data.tool_call_id, 'error' in data ? { error: data.error } : { result: data.result }));
      }
      case 'agent_completed':
        return this.ending(result(notifier.completed()));
      case 'agent_error':
        return this.ending(result(notifier.failed(event.data.code, event.data.message)));
    }
  }

  /** The producer ended the run: the runner's wait ends once its terminal event is appended. */
  private ending(terminal: Promise<AppendedResult>): Promise<AppendedResult> {
    this.endedByProducer = true;
    clearTimeout(this.silence);
    terminal.then(this.release, this.release);
    return terminal;
  }

  private touch(): void {
    if (this.closed || this.endedByProducer || !this.context) return;
    clearTimeout(this.silence);
    this.silence = setTimeout(() => this.onSilence(), this.options.silenceMs);
  }

  private onSilence(): void {
    const notifier = this.context?.notifier;
    if (!notifier || notifier.ended || this.endedByProducer) return;
    const reason: StopReason = { code: 'timeout', message: `the producer sent nothing for ${this.options.silenceMs} ms` };
    this.stopReason = reason;
    this.wakeStopWaiters();
    // Ends the run as any agent may: the runner sees it ended and appends nothing more.
    notifier.failed(reason.code, reason.message).then(this.release, this.release);
  }

  private onAbort(reason: unknown): void {
    if (this.endedByProducer) return;
    this.stopReason ??= isStopReason(reason) ? reason : { code: 'cancelled', message: 'the run was stopped' };
    clearTimeout(this.silence);
    this.wakeStopWaiters();
  }

  private wakeStopWaiters(): void {
    for (const wake of [...this.stopWaiters]) wake();
  }
}

const ENDED: StopReason = { code: 'failed', message: 'the run has ended' };

function isStopReason(value: unknown): value is StopReason {
  return typeof value === 'object' && value !== null && 'code' in value && 'message' in value;
}
