import type { EventLog, RunDirectory } from '../bus/types.js';
import type { Logger } from '../logger.js';
import type { Store, ThreadPage, ThreadRecord } from '../store/types.js';
import { threadSnapshot, type ThreadSnapshot } from './snapshot.js';

export interface ThreadServiceDeps {
  readonly store: Store;
  readonly log: EventLog;
  readonly runs: RunDirectory;
  readonly logger: Logger;
  /** Ends one of the user's runs with `cancelled`, wherever it executes (the gateway's stop path). */
  stopRun(userId: string, runId: string): Promise<unknown>;
  /** See `SnapshotDeps.checkpointMs`. */
  readonly checkpointMs: number;
  /** How long deleting a thread waits for its stopped runs to end before deleting anyway. */
  readonly stopWaitMs: number;
}

/** How many messages of a thread one pass reads when looking for its runs in flight. */
const SCAN_PAGE = 500;

/**
 * The thread routes' logic (docs/protocol.md, "HTTP" and "History"), one door for HTTP and
 * host code. Every call takes the acting user's id (from a verified token) and treats
 * another user's thread exactly like a missing one: `undefined`, so nothing is revealed.
 */
export class ThreadService {
  constructor(private readonly deps: ThreadServiceDeps) {}

  list(userId: string, page: { limit: number; cursor?: string | undefined }): Promise<ThreadPage> {
    return this.deps.store.threads.list(userId, page);
  }

  /** The thread if it is the user's own. */
  async owned(userId: string, threadId: string): Promise<ThreadRecord | undefined> {
    const thread = await this.deps.store.threads.get(threadId);
    return thread?.userId === userId ? thread : undefined;
  }

  async messages(userId: string, threadId: string, page: { limit: number; before?: string | undefined }): Promise<ThreadSnapshot | undefined> {
    const thread = await this.owned(userId, threadId);
    if (!thread) return undefined;
    const { store, log, checkpointMs } = this.deps;
    return threadSnapshot({ messages: store.messages, log, checkpointMs, nowMs: Date.now }, thread, page);
  }

  /** Renames the thread and tells every tab (`thread_updated`). */
  async rename(userId: string, threadId: string, title: string): Promise<ThreadRecord | undefined> {
    if (!(await this.owned(userId, threadId))) return undefined;
    const renamed = await this.deps.store.threads.rename(threadId, title, new Date().toISOString());
    if (!renamed) return undefined;
    await this.deps.log.append(userId, { type: 'thread_updated', thread_id: threadId, data: { title: renamed.title } });
    return renamed;
  }

  /**
   * Stops the thread's runs in flight (`cancelled`), deletes it and its messages from the
   * store, then appends `thread_deleted`. False when it is not the user's thread.
   */
  async delete(userId: string, threadId: string): Promise<boolean> {
    if (!(await this.owned(userId, threadId))) return false;
    const inFlight = await this.runsInFlight(threadId);
    await Promise.all(inFlight.map((runId) => this.deps.stopRun(userId, runId)));
    await this.waitEnded(inFlight);
    if (!(await this.deps.store.threads.delete(threadId))) return false;
    await this.deps.log.append(userId, { type: 'thread_deleted', thread_id: threadId, data: {} });
    return true;
  }

  /** Account deletion: every thread of the user (their runs stopped first), then their notes. */
  async deleteUser(userId: string): Promise<void> {
    for (;;) {
      const { threads } = await this.deps.store.threads.list(userId, { limit: 200 });
      if (threads.length === 0) break;
      for (const thread of threads) await this.delete(userId, thread.threadId);
    }
    await this.deps.store.deleteUser(userId);
  }

  /**
   * Runs of the thread the stream may still be carrying: an assistant message still running,
   * or a user message whose run has no assistant message yet (accepted, not started).
   * Only those are looked up in the run directory, not every run the thread ever had.
   */
  private async runsInFlight(threadId: string): Promise<string[]> {
    const candidates = new Set<string>();
    const finished = new Set<string>();
    let before: string | undefined;
    do {
      const page = await this.deps.store.messages.page(threadId, { limit: SCAN_PAGE, ...(before !== undefined && { before }) });
      for (const { message } of page.messages) {
        if (message.role === 'assistant' && message.status !== 'running') finished.add(message.run_id);
        else candidates.add(message.run_id);
      }
      before = page.nextBefore ?? undefined;
    } while (before !== undefined);
    const open = [...candidates].filter((id) => !finished.has(id));
    const records = await Promise.all(open.map((id) => this.deps.runs.get(id)));
    return records.flatMap((record) => (record?.status === 'running' ? [record.runId] : []));
  }

  private async waitEnded(runIds: readonly string[]): Promise<void> {
    const deadline = Date.now() + this.deps.stopWaitMs;
    let waiting = [...runIds];
    while (waiting.length > 0) {
      const records = await Promise.all(waiting.map((id) => this.deps.runs.get(id)));
      waiting = waiting.filter((_, i) => records[i]?.status === 'running');
      if (waiting.length === 0) return;
      if (Date.now() > deadline) {
        this.deps.logger.warn({ runs: waiting }, 'deleting a thread whose runs did not end in time');
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
}
