import { DEFAULT_RETENTION, type Bus, type RetentionOptions } from '../types.js';
import { MemoryEventLog } from './memory-event-log.js';
import {
  MemoryMessageLedger,
  MemoryNoteStore,
  MemoryRunDirectory,
  MemoryThreadStore,
  MemoryTicketStore,
} from './memory-stores.js';

export interface MemoryBusOptions {
  retention?: Partial<RetentionOptions>;
  /** Clock in ms, injectable so retention can be tested without waiting. */
  nowMs?: () => number;
}

/** The embedded engine: everything in this process, nothing survives a restart (new epochs). */
export class MemoryBus implements Bus {
  readonly engine = 'memory' as const;
  readonly log: MemoryEventLog;
  readonly threads: MemoryThreadStore;
  readonly messages: MemoryMessageLedger;
  readonly runs = new MemoryRunDirectory();
  readonly tickets: MemoryTicketStore;
  readonly notes: MemoryNoteStore;

  constructor(options: MemoryBusOptions = {}) {
    const retention = { ...DEFAULT_RETENTION, ...options.retention };
    const nowMs = options.nowMs ?? Date.now;
    this.log = new MemoryEventLog(retention, nowMs);
    this.threads = new MemoryThreadStore(nowMs);
    this.messages = new MemoryMessageLedger(retention.maxAgeMs, nowMs);
    this.tickets = new MemoryTicketStore(nowMs);
    this.notes = new MemoryNoteStore(nowMs);
  }

  health(): 'ok' {
    return 'ok';
  }

  releaseUser(userId: string): void {
    this.log.release(userId);
    this.threads.release(userId);
    this.messages.releaseUser(userId);
    this.runs.releaseUser(userId);
    this.notes.releaseUser(userId);
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}

export const createMemoryBus = (options?: MemoryBusOptions): MemoryBus => new MemoryBus(options);
