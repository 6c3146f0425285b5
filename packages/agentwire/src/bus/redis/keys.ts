/**
 * One identifier as it appears inside a key name. User ids come from the `sub` claim and
 * other ids from clients, so any of them may contain `{`, `}` or `:`; unencoded, the sub
 * `a}:notes` named a key of user `a`. encodeURIComponent escapes every separator used here
 * (and `%` itself), so distinct ids give distinct, non-overlapping names, while the ids of
 * the common alphabet ([A-Za-z0-9_.-]) keep their readable form.
 */
export function keyPart(id: string): string {
  return encodeURIComponent(id);
}

/**
 * Every Redis key and channel name of one bus, under its prefix. A user's keys share the
 * hash tag `{<userId>}` (encoded) so the scripts that touch several of them stay on one slot.
 */
export class RedisKeys {
  constructor(readonly prefix: string) {}

  /** Hash `{ epoch, seq }`: the life of the user's stream and its counter. */
  meta(userId: string): string {
    return `${this.prefix}{${keyPart(userId)}}:meta`;
  }

  /** Sorted set of the user's runs that have their terminal event (score: ms), so nothing can follow it. */
  endedRuns(userId: string): string {
    return `${this.prefix}{${keyPart(userId)}}:ended`;
  }

  /** Stream of the user's retained events, entry id `<ms>-<seq>`, fields `f` (frame) and `n` (nonce). */
  events(userId: string): string {
    return `${this.prefix}{${keyPart(userId)}}:events`;
  }

  /** Pub/sub channel carrying `<epoch>\n<frame>` for each appended event of the user. */
  live(userId: string): string {
    return `${this.prefix}live:${keyPart(userId)}`;
  }

  /** Pub/sub channel carrying `<origin> <runId> <reason>` stop requests to every process. */
  stops(): string {
    return `${this.prefix}stop`;
  }

  /** List of a thread's queued runs, head first (protocol 1.2, "Busy threads"); in the user's hash slot. */
  threadQueue(userId: string, threadId: string): string {
    return `${this.prefix}{${keyPart(userId)}}:queue:${keyPart(threadId)}`;
  }

  /** Pub/sub channel carrying the id of a thread whose queue may have advanced. */
  queueAdvances(): string {
    return `${this.prefix}advance`;
  }

  /** A run's pending approval or client tool call (protocol 1.2): `open:<kind>` until settled once. */
  pending(runId: string, toolCallId: string): string {
    return `${this.prefix}ask:${keyPart(runId)}:${keyPart(toolCallId)}`;
  }

  /** Pub/sub channel carrying `<origin> <json>` for every settled pending request, to every process. */
  settled(): string {
    return `${this.prefix}settled`;
  }

  /** Pub/sub channel carrying `<origin> <userId>` disconnect requests (gateway.disconnectUser) to every process. */
  disconnects(): string {
    return `${this.prefix}disconnect`;
  }

  message(userId: string, clientMsgId: string): string {
    return `${this.prefix}{${keyPart(userId)}}:msg:${keyPart(clientMsgId)}`;
  }

  run(runId: string): string {
    return `${this.prefix}run:${keyPart(runId)}`;
  }

  /** Liveness of one gateway process: exists while the process refreshes it (PX TTL). */
  process(processId: string): string {
    return `${this.prefix}proc:${keyPart(processId)}`;
  }

  /** Sorted set of the ids of processes that may own runs, scored by start time (ms). */
  processes(): string {
    return `${this.prefix}procs`;
  }

  /** Set of the ids of the runs a process registered and has not finished. */
  runsOf(processId: string): string {
    return `${this.prefix}proc:${keyPart(processId)}:runs`;
  }

  /** SET NX lock: the one process allowed to end an orphaned run. */
  reapLock(runId: string): string {
    return `${this.prefix}reap:${keyPart(runId)}`;
  }

  ticket(ticket: string): string {
    return `${this.prefix}ticket:${keyPart(ticket)}`;
  }

  /** Sorted set of the user's pending tickets (score: expiry in ms), which bounds how many one user holds. */
  ticketsOf(userId: string): string {
    return `${this.prefix}{${keyPart(userId)}}:tickets`;
  }

  /** A SCAN MATCH pattern for every key of this bus. */
  pattern(): string {
    return `${this.prefix.replace(/[*?[\]\\]/g, (c) => `\\${c}`)}*`;
  }
}
