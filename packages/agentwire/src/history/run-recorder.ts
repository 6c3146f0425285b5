import type { AppendedEvent } from '../bus/types.js';
import type { Logger } from '../logger.js';
import type { StreamEvent } from '../protocol/types.js';
import type { AssistantMessage, MessageStore } from '../store/types.js';
import { MessageCompactor } from './compaction.js';
import type { DurableWriter } from './durable-writer.js';

export interface RunRecorderOptions {
  readonly messages: MessageStore;
  readonly writer: DurableWriter;
  readonly logger: Logger;
  /** Least time between two checkpoints of a run in flight. */
  readonly checkpointMs: number;
  /** How long the final message may wait for an unreachable store before the run fails instead. */
  readonly finalWriteTimeoutMs: number;
}

export interface RecordedRun {
  readonly userId: string;
  readonly threadId: string;
  readonly runId: string;
}

/** What the terminal event will be, before it has a seq. */
export type TerminalDraft = Extract<StreamEvent, { type: 'agent_completed' | 'agent_error' }>;

/**
 * Keeps one run's assistant message in the store while the run is in flight
 * (docs/protocol.md, "History"): every appended event is folded in append order;
 * checkpoints are written at most every `checkpointMs`, one at a time, each naming the
 * seq it reflects; the final message is written before the terminal event is appended,
 * so no socket can see a run end that history does not show.
 */
export class RunRecorder {
  private readonly compactor: MessageCompactor;
  /**
   * Appends not yet folded. A run's appends resolve in the order the stream gave them
   * seqs (the engines append in call order), so folding each as it resolves keeps that
   * order at the cost of one reaction per event; `finish` waits for the last of them.
   */
  private pending = 0;
  private drained: (() => void) | undefined;
  private readonly onAppended = (appended: AppendedEvent): void => {
    this.fold(appended);
    this.settle();
  };
  private readonly onFailed = (): void => this.settle();
  private epoch = '';
  private lastSeq: number | null = null;
  /** The checkpoint being written; the next one waits for it (one at a time). */
  private writing: Promise<void> | undefined;
  /**
   * One timer for the run's life, re-armed with `refresh()` (no timer object per checkpoint):
   * armed by the first event folded after a checkpoint was taken, it fires `checkpointMs`
   * later, so a folded event is in the store within `checkpointMs` (or once the write
   * before it is done, if that takes longer) and two checkpoints start at least
   * `checkpointMs` apart. Folding costs no clock read and no allocation.
   */
  private timer: NodeJS.Timeout | undefined;
  private armed = false;
  /** The timer fired while a checkpoint was being written: the next one starts when it is done. */
  private due = false;
  private dirty = false;
  private finished = false;
  /** When the last checkpoint started (`Date.now()`); read once per checkpoint, never per event. */
  private lastStartMs = -Infinity;
  private readonly onDue = (): void => {
    this.armed = false;
    if (this.writing) this.due = true;
    else this.checkpoint();
  };
  private readonly onWritten = (): void => {
    this.writing = undefined;
    if (!this.due) return;
    this.due = false;
    this.checkpoint();
  };
  // A missed checkpoint only delays what snapshots read from the store; the next one catches up.
  private readonly onWriteFailed = (err: unknown): void => {
    this.options.logger.warn({ err, runId: this.run.runId }, 'checkpoint not stored');
    this.onWritten();
  };

  constructor(
    private readonly options: RunRecorderOptions,
    private readonly run: RecordedRun,
    agentName: string,
    createdAt: string,
  ) {
    this.compactor = MessageCompactor.start(run.runId, agentName, createdAt);
  }

  /** Follows one append of this run (any but the terminal event). */
  track(append: Promise<AppendedEvent>): void {
    this.pending++;
    append.then(this.onAppended, this.onFailed);
  }

  /**
   * Follows one append already done (`EventLog.appendNow`): folded at once, without a
   * reaction per event. A run's appends go all one way or all the other (its log decides).
   */
  trackNow(appended: AppendedEvent): void {
    this.fold(appended);
  }

  /**
   * Writes the final message, the terminal event folded in. Resolves with the terminal
   * event to append: the one given, or, when the store stayed unreachable past
   * `finalWriteTimeoutMs`, an `agent_error` that says the answer could not be saved (its
   * message is then written as soon as the store is back).
   */
  async finish(terminal: TerminalDraft): Promise<TerminalDraft> {
    if (this.pending > 0) await new Promise<void>((resolve) => (this.drained = resolve));
    this.finished = true;
    clearTimeout(this.timer);
    await this.writing;
    const final = this.finalMessage(terminal);
    const written = await this.options.writer.write(() => this.put(final), this.options.finalWriteTimeoutMs);
    if (written) return terminal;
    const fallback: TerminalDraft = {
      ...terminal,
      type: 'agent_error',
      data: { code: 'failed', message: 'the answer could not be saved: history is unavailable; please retry', duration_ms: terminal.data.duration_ms },
    };
    const failed = this.finalMessage(fallback);
    this.options.logger.error({ runId: this.run.runId, user: this.run.userId }, 'final message not stored in time; the run ends failed and its message is retried');
    this.options.writer.eventually(() => this.put(failed), `final message of ${this.run.runId}`);
    return fallback;
  }

  /** Records where the terminal event landed, for snapshots (best effort, retried). */
  terminalAppended(appended: AppendedEvent): void {
    const { messages } = this.options;
    const id = this.compactor.message().message_id;
    const mark = { epoch: appended.epoch, seq: this.lastSeq, terminalSeq: appended.seq };
    this.options.writer.eventually(() => messages.mark(id, mark), `terminal mark of ${this.run.runId}`);
  }

  private settle(): void {
    if (--this.pending === 0) this.drained?.();
  }

  private fold(appended: AppendedEvent): void {
    this.compactor.fold(appended.event);
    this.epoch = appended.epoch;
    this.lastSeq = appended.seq;
    this.dirty = true;
    if (this.armed || this.finished) return;
    // After a quiet spell (the run's first event included) the event is stored at once: a
    // snapshot taken right then must find it to follow from (run-chunks.ts; docs/protocol.md,
    // "History"). Otherwise the timer holds it at most `checkpointMs`.
    if (!this.writing && Date.now() - this.lastStartMs >= this.options.checkpointMs) {
      this.checkpoint();
      return;
    }
    this.armed = true;
    if (this.timer) this.timer.refresh();
    else this.timer = setTimeout(this.onDue, this.options.checkpointMs).unref();
  }

  private checkpoint(): void {
    if (this.finished || !this.dirty) return;
    this.dirty = false;
    this.lastStartMs = Date.now();
    this.writing = this.put(this.compactor.message()).then(this.onWritten, this.onWriteFailed);
  }

  private finalMessage(terminal: TerminalDraft): AssistantMessage {
    const copy = MessageCompactor.from(this.compactor.message());
    copy.fold(terminal);
    return copy.message();
  }

  /** Not `async`: a checkpoint's write is the store's promise and one reaction, nothing more. */
  private put(message: AssistantMessage): Promise<unknown> {
    const { userId, threadId } = this.run;
    try {
      // A deleted thread takes its messages with it: nothing to write (false) is not an error.
      return this.options.messages.putAssistant({ userId, threadId, message, mark: { epoch: this.epoch, seq: this.lastSeq, terminalSeq: null } });
    } catch (error) {
      return Promise.reject(error as Error);
    }
  }
}
