/**
 * Every Redis key and channel name of one bus, under its prefix. A user's keys share the
 * hash tag `{<userId>}` so the scripts that touch several of them stay on one slot.
 */
export class RedisKeys {
  constructor(readonly prefix: string) {}

  /** Hash `{ epoch, seq }`: the life of the user's stream and its counter. */
  meta(userId: string): string {
    return `${this.prefix}{${userId}}:meta`;
  }

  /** Sorted set of the user's runs that have their terminal event (score: ms), so nothing can follow it. */
  endedRuns(userId: string): string {
    return `${this.prefix}{${userId}}:ended`;
  }

  /** Stream of the user's retained events, entry id `<ms>-<seq>`, fields `f` (frame) and `n` (nonce). */
  events(userId: string): string {
    return `${this.prefix}{${userId}}:events`;
  }

  /** Pub/sub channel carrying `<epoch>\n<frame>` for each appended event of the user. */
  live(userId: string): string {
    return `${this.prefix}live:${userId}`;
  }

  /** Pub/sub channel carrying `<origin> <runId>` stop requests to every process. */
  stops(): string {
    return `${this.prefix}stop`;
  }

  message(userId: string, clientMsgId: string): string {
    return `${this.prefix}{${userId}}:msg:${clientMsgId}`;
  }

  thread(threadId: string): string {
    return `${this.prefix}thread:${threadId}`;
  }

  /** Sorted set of the user's thread ids, scored by last update (ms). */
  threadsOf(userId: string): string {
    return `${this.prefix}{${userId}}:threads`;
  }

  run(runId: string): string {
    return `${this.prefix}run:${runId}`;
  }

  /** Liveness of one gateway process: exists while the process refreshes it (PX TTL). */
  process(processId: string): string {
    return `${this.prefix}proc:${processId}`;
  }

  /** Sorted set of the ids of processes that may own runs, scored by start time (ms). */
  processes(): string {
    return `${this.prefix}procs`;
  }

  /** Set of the ids of the runs a process registered and has not finished. */
  runsOf(processId: string): string {
    return `${this.prefix}proc:${processId}:runs`;
  }

  /** SET NX lock: the one process allowed to end an orphaned run. */
  reapLock(runId: string): string {
    return `${this.prefix}reap:${runId}`;
  }

  ticket(ticket: string): string {
    return `${this.prefix}ticket:${ticket}`;
  }

  notes(userId: string): string {
    return `${this.prefix}{${userId}}:notes`;
  }

  /** A SCAN MATCH pattern for every key of this bus. */
  pattern(): string {
    return `${this.prefix.replace(/[*?[\]\\]/g, (c) => `\\${c}`)}*`;
  }
}
