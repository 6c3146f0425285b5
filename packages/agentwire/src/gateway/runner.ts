import type { Bus } from '../bus/types.js';
import type { UserScope, RunHandle } from './user-scope.js';
import type { GatewayStats } from './stats.js';
import type { Logger } from '../logger.js';
import type { Notifier } from '../notifier/notifier.js';
import type { ClientToolSpec, RunErrorCode } from '../protocol/types.js';
import { RunBudget } from '../interaction/run-budget.js';
import { RunInteractions, type InteractionSettings } from '../interaction/run-interactions.js';
import type { ToolRegistry } from '../agents/tools/registry.js';
import type { Agent, AgentContext, ThreadTurn } from '../agents/types.js';
import { isAgentwireError } from '../errors.js';
import { loadTurns } from '../history/turns.js';
import { waitForTurn } from './thread-turns.js';
import type { Store } from '../store/types.js';

export interface RunnerOptions {
  readonly bus: Bus;
  readonly store: Store;
  /** See `HistoryOptions.budgetChars`. */
  readonly historyBudgetChars: number;
  readonly tools: ToolRegistry;
  readonly timeoutMs: number;
  /** Waits for the user (protocol 1.2); an approval's wait does not count against `timeoutMs`. */
  readonly interaction: InteractionSettings;
  readonly stats: GatewayStats;
  readonly logger: Logger;
}

export interface RunRequest {
  readonly scope: UserScope;
  readonly agent: Agent;
  readonly threadId: string;
  readonly runId: string;
  readonly text: string;
  /** `user_message.client_tools` (protocol 1.2); omitted: none. */
  readonly clientTools?: readonly ClientToolSpec[] | undefined;
}

interface StopReason {
  readonly code: RunErrorCode;
  readonly message: string;
}

/**
 * Executes runs and owns their frame: `agent_started` first, exactly one terminal event
 * last, whatever the agent does (returns, throws, hangs past its timeout, is stopped, or
 * the process shuts down).
 */
export class AgentRunner {
  private readonly active = new Map<string, RunHandle>();
  /** Set when the shutdown drain is over: a run started after that ends with `shutdown` at once. */
  private drainOver = false;

  constructor(private readonly options: RunnerOptions) {}

  get activeCount(): number {
    return this.active.size;
  }

  start(request: RunRequest): RunHandle {
    const { scope, threadId, runId, agent } = request;
    const controller = new AbortController();
    const notifier = scope.notifierFor(threadId, runId, { coalesce: agent.coalesceDeltas !== false });
    const handle: RunHandle = {
      runId,
      threadId,
      stop: (code, message) => {
        if (!controller.signal.aborted) controller.abort({ code, message } satisfies StopReason);
      },
      done: Promise.resolve(),
    };
    const done = this.execute(request, notifier, controller).finally(() => {
      this.active.delete(runId);
      scope.removeRun(runId);
      void this.release(scope.userId, threadId, runId);
    });
    const started: RunHandle = { ...handle, done };
    this.active.set(runId, started);
    scope.addRun(started);
    this.options.stats.runsStarted++;
    // A message accepted just before shutdown still gets its run and so its terminal event.
    if (this.drainOver) started.stop('shutdown', 'the server is shutting down');
    return started;
  }

  /** Stops a run executing in this process; false when it is not here. */
  stop(runId: string, code: RunErrorCode, message: string): boolean {
    const run = this.active.get(runId);
    run?.stop(code, message);
    return run !== undefined;
  }

  /** Lets runs finish for `drainMs`, then ends the rest with `shutdown`; resolves when all ended. */
  async shutdown(drainMs: number): Promise<void> {
    const timer = setTimeout(() => {
      this.drainOver = true;
      for (const run of this.active.values()) run.stop('shutdown', 'the server is shutting down');
    }, drainMs);
    // Runs can still start while this waits (messages accepted just before close): wait for those too.
    while (this.active.size > 0) await Promise.allSettled([...this.active.values()].map((r) => r.done));
    clearTimeout(timer);
    this.drainOver = true;
  }

  /**
   * After the terminal event: the run is finished in the directory first, then leaves its
   * thread's queue, so whoever the advance wakes finds it finished (docs/protocol.md, "Busy threads").
   */
  private async release(userId: string, threadId: string, runId: string): Promise<void> {
    const { bus, logger } = this.options;
    await bus.runs.finish(runId).catch((err: unknown) => logger.warn({ err, runId }, 'run finish not recorded'));
    // Not fatal: a run left behind is finished, and whoever waits behind it drops it (thread-turns.ts).
    await bus.queues.leave(userId, threadId, runId).catch((err: unknown) => logger.warn({ err, runId }, 'run did not leave its thread queue'));
  }

  private async execute(request: RunRequest, notifier: Notifier, controller: AbortController): Promise<void> {
    const { agent, scope, threadId, runId, text } = request;
    const { logger, stats, timeoutMs } = this.options;
    const budget = new RunBudget(timeoutMs, () =>
      controller.abort({ code: 'timeout', message: `the run exceeded its ${timeoutMs} ms timeout` } satisfies StopReason),
    );
    const interactions = new RunInteractions({
      pending: this.options.bus.pending,
      notifier,
      signal: controller.signal,
      pauseBudget: () => budget.pause(),
      settings: this.options.interaction,
    });
    let outcome: keyof GatewayStats['runsEnded'] = 'completed';
    try {
      // A queued run starts when its thread's earlier runs have ended; its timeout counts from then.
      const resumeBudget = budget.pause();
      await waitForTurn(this.options.bus, { userId: scope.userId, threadId, runId }, controller.signal);
      resumeBudget();
      await notifier.started(agent.name);
      const context: AgentContext = {
        notifier,
        signal: controller.signal,
        tools: this.options.tools,
        toolContext: { userId: scope.userId, notebook: scope.notebook, signal: controller.signal, now: () => new Date() },
        interactions,
        history: () => this.history(threadId, runId),
      };
      const input = { text, userId: scope.userId, threadId, runId, clientTools: request.clientTools ?? [] };
      await raceAbort(agent.run(input, context), controller.signal);
      if (!notifier.ended) await notifier.completed();
    } catch (error) {
      const reason = stopReason(controller.signal, error);
      outcome = reason.code;
      if (reason.code === 'failed') logger.warn({ err: error, user: scope.userId, runId }, 'run failed');
      // A run stopped while queued still opens with its own agent's name (agent_started first, always).
      if (!notifier.goldenPath().started) await notifier.started(agent.name).catch(() => undefined);
      // Before the terminal event: an answer sent once the run has ended gets `already_resolved`.
      await interactions.cancelOpen();
      if (!notifier.ended) {
        // With the event bus unreachable even the terminal event cannot be stored: say so, never crash.
        await notifier.failed(reason.code, reason.message).catch((err: unknown) => {
          if (isAgentwireError(err, 'AW_ERR_RUN_ENDED')) {
            // Another process ended it (this one was cut off from Redis long enough to look dead).
            logger.warn({ user: scope.userId, runId }, 'run was already ended by another process');
          } else {
            logger.error({ err, user: scope.userId, runId }, 'run ended without a stored terminal event');
          }
        });
      }
    } finally {
      budget.clear();
      // An agent still running after its run ended must not keep working for nobody.
      if (!controller.signal.aborted) controller.abort({ code: 'cancelled', message: 'run ended' } satisfies StopReason);
      stats.runsEnded[outcome]++;
    }
  }

  /** The thread's memory from the store (docs/agents.md, "Conversation memory"). */
  private history(threadId: string, runId: string): Promise<ThreadTurn[]> {
    return loadTurns(this.options.store.messages, threadId, runId, this.options.historyBudgetChars);
  }

}

function raceAbort<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) {
    // The agent saw the aborted signal and rejects too; that rejection must not go unhandled.
    work.catch(() => {});
    return Promise.reject(signal.reason);
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}

function stopReason(signal: AbortSignal, error: unknown): StopReason {
  if (signal.aborted && isStopReason(signal.reason)) return signal.reason;
  const detail = error instanceof Error ? error.message : String(error);
  return { code: 'failed', message: `the agent failed: ${detail}` };
}

function isStopReason(value: unknown): value is StopReason {
  return typeof value === 'object' && value !== null && 'code' in value && 'message' in value;
}
