import { DEFAULT_RETENTION, type Bus, type RetentionOptions } from '../types.js';
import { MemoryEventLog } from './memory-event-log.js';
import {
  MemoryMessageLedger,
  MemoryRunDirectory,
  MemorySessionControl,
  MemoryThreadQueue,
  MemoryTicketStore,
} from './memory-stores.js';
import { MemoryPendingRequests } from './memory-pending.js';

export interface MemoryBusOptions {
  retention?: Partial<RetentionOptions>;
  /** Clock in ms, injectable so retention can be tested without waiting. */
  nowMs?: () => number;
}

/** The embedded engine: everything in this process, nothing survives a restart (new epochs). */
export class MemoryBus implements Bus {
  readonly engine = 'memory' as const;
  readonly log: MemoryEventLog;
  readonly messages: MemoryMessageLedger;
  readonly runs: MemoryRunDirectory;
  readonly queues = new MemoryThreadQueue();
  readonly tickets: MemoryTicketStore;
  readonly sessions = new MemorySessionControl();
  readonly pending: MemoryPendingRequests;

  constructor(options: MemoryBusOptions = {}) {
    const retention = { ...DEFAULT_RETENTION, ...options.retention };
    const nowMs = options.nowMs ?? Date.now;
    this.log = new MemoryEventLog(retention, nowMs);
    this.messages = new MemoryMessageLedger(retention.maxAgeMs, nowMs);
    this.tickets = new MemoryTicketStore(nowMs);
    this.runs = new MemoryRunDirectory(retention.maxAgeMs, nowMs);
    this.pending = new MemoryPendingRequests(nowMs);
  }

  health(): 'ok' {
    return 'ok';
  }

  releaseUser(userId: string): void {
    this.log.release(userId);
    this.messages.releaseUser(userId);
    this.runs.releaseUser(userId);
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}

export const createMemoryBus = (options?: MemoryBusOptions): MemoryBus => new MemoryBus(options);
