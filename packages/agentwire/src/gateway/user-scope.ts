import type { Notebook } from '../agents/tools/registry.js';
import type { AppendedEvent, Bus, Subscription } from '../bus/types.js';
import { OneOrMore } from '../bus/one-or-more.js';
import { Notifier, type NotifierOptions } from '../notifier/notifier.js';
import { bindNotebook } from '../agents/tools/notebook.js';
import { RunRecorder, type RunRecorderOptions } from '../history/run-recorder.js';
import type { Store } from '../store/types.js';
import { CloseCode } from '../protocol/close-codes.js';
import type { RunErrorCode } from '../protocol/types.js';
import type { Connection } from './connection.js';
import { KeyedSerial } from './keyed-serial.js';
import { textFrame } from './text-frame.js';

const deliverTo = (connection: Connection, appended: AppendedEvent, wire: Buffer): void => connection.deliver(appended, wire);

/** A run executing in this process, as its scope sees it. */
export interface RunHandle {
  readonly runId: string;
  readonly threadId: string;
  /** Aborts the run; its terminal event is `agent_error` with `code`. */
  stop(code: RunErrorCode, message: string): void;
  /** Settles once the run's terminal event is appended. */
  readonly done: Promise<void>;
}

/** Where a scope's runs and notes are kept. */
export interface ScopeHistory {
  readonly store: Store;
  readonly recorder: RunRecorderOptions;
  /** How run notifiers send deltas (the gateway's `coalesceDeltasMs`). */
  readonly notifier: NotifierOptions;
}

export interface ScopeHooks {
  /** Called whenever the scope may have become idle (no connections, no runs). */
  onMaybeIdle(scope: UserScope): void;
}

/**
 * Everything that belongs to one user in this process: their sockets, their runs, their
 * live subscription to their stream, their notebook. Made only by `ScopeRegistry`; two
 * users never share a scope or any mutable object in it.
 */
export class UserScope {
  /** Most users have one socket: no `Set` until a second (issue 19, "Idle memory"). */
  readonly connections = new OneOrMore<Connection>();
  /**
   * Made on first use, like `notebookView` and `acceptOrder`: most users of an idle socket run
   * nothing, and each empty Map costs ~180 bytes (issue 19, "Idle memory").
   */
  private runMap: Map<string, RunHandle> | undefined;
  /** Made on first use: most sockets never run a tool, and an idle socket should stay small. */
  private notebookView: Notebook | undefined;
  private acceptQueue: KeyedSerial | undefined;
  /** Runs accepted but not yet registered in `runs`, so the in-flight limit has no race. */
  reservedRuns = 0;
  private subscription: Subscription | undefined;
  /** Serialises each event once per user: one frame shared by all of the user's sockets. */
  private readonly fanOut = (appended: AppendedEvent): void => {
    if (this.connections.size === 0) return;
    this.connections.forEach(deliverTo, appended, textFrame(appended.frame));
  };

  /** The stream's history was lost (new epoch): every socket must resume to learn so. */
  private streamReset(): void {
    // The old subscription follows a dead stream life; the next socket subscribes afresh.
    this.subscription?.close();
    this.subscription = undefined;
    for (const connection of this.connections) connection.close(CloseCode.tryAgainLater, 'event stream was reset; resume with last_seq and epoch');
  }

  constructor(
    readonly userId: string,
    private readonly bus: Bus,
    private readonly history: ScopeHistory,
    private readonly hooks: ScopeHooks,
  ) {}

  /** The user's own notes, as tools see them. */
  get notebook(): Notebook {
    this.notebookView ??= bindNotebook(this.history.store.notes, this.userId);
    return this.notebookView;
  }

  /** The runs executing in this process, by run id. */
  get runs(): ReadonlyMap<string, RunHandle> {
    return (this.runMap ??= new Map());
  }

  /** Messages to one thread are accepted one at a time, in arrival order (run-requests.ts). */
  get acceptOrder(): KeyedSerial {
    return (this.acceptQueue ??= new KeyedSerial());
  }

  get runsInFlight(): number {
    return (this.runMap?.size ?? 0) + this.reservedRuns;
  }

  get idle(): boolean {
    return this.connections.size === 0 && this.runsInFlight === 0;
  }

  /** Adds a socket; resolves once the user's live events flow to it (queued until it goes live). */
  async attach(connection: Connection): Promise<void> {
    this.connections.add(connection);
    // The reset listener is made per subscription, not kept per scope: an engine that never
    // resets a live stream (memory) drops it at once (issue 19, "Idle memory").
    this.subscription ??= this.bus.log.subscribe(this.userId, this.fanOut, () => this.streamReset());
    await this.subscription.ready;
  }

  detach(connection: Connection): void {
    if (!this.connections.delete(connection)) return;
    if (this.connections.size === 0) {
      this.subscription?.close();
      this.subscription = undefined;
    }
    this.hooks.onMaybeIdle(this);
  }

  /** The notifier of one run; its recorder keeps the run's assistant message in the store. */
  /** `coalesce: false`: this run's deltas are never gathered (`Agent.coalesceDeltas`). */
  notifierFor(threadId: string, runId: string, { coalesce = true }: { readonly coalesce?: boolean } = {}): Notifier {
    const target = { userId: this.userId, threadId, runId };
    const recorder = new RunRecorder(this.history.recorder, target, 'unknown', new Date().toISOString());
    return new Notifier(this.bus.log, target, recorder, coalesce ? this.history.notifier : { ...this.history.notifier, coalesceMs: 0 });
  }

  addRun(run: RunHandle): void {
    (this.runMap ??= new Map()).set(run.runId, run);
  }

  removeRun(runId: string): void {
    this.runMap?.delete(runId);
    this.hooks.onMaybeIdle(this);
  }

  releaseReservation(): void {
    this.reservedRuns = Math.max(0, this.reservedRuns - 1);
    this.hooks.onMaybeIdle(this);
  }

  dispose(): void {
    this.subscription?.close();
    this.subscription = undefined;
  }
}
