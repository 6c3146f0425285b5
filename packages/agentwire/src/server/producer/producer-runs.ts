import type { Gateway } from '../../gateway/gateway.js';
import { HttpError } from '../http-io.js';
import type { WireErrorCode } from '../../protocol/types.js';
import { RemoteRun } from './remote-run.js';
import type { z } from 'zod';
import type { startRunBody } from './producer-schemas.js';

export interface ProducerRunsOptions {
  /** The producer's silence after which its run ends with `agent_error` `timeout`. */
  readonly silenceMs: number;
  /** How long an ended run still answers its retried appends from memory (idempotency). */
  readonly lingerMs?: number;
}

export interface StartedRun {
  readonly run_id: string;
  readonly thread_id: string;
  /** False when `client_msg_id` named a run already started: nothing new was started. */
  readonly fresh: boolean;
}

interface OwnedRun {
  readonly userId: string;
  readonly remote: RemoteRun;
}

const STATUS_OF: Readonly<Record<WireErrorCode, number>> = Object.freeze({
  invalid_message: 400,
  forbidden: 403,
  too_many_runs: 429,
  unavailable: 503,
} as Record<WireErrorCode, number>);

const LINGER_MS = 5 * 60_000;

/**
 * The producer runs of this process. A producer run is owned by the process that started it
 * (its golden-path state and idempotency keys are in that process's memory, as an in-process
 * agent's are): a request for it that reaches another process is answered 409 `run_elsewhere`,
 * so producers keep talking to the process that answered their start (docs/producers.md).
 */
export class ProducerRuns {
  private readonly runs = new Map<string, OwnedRun>();

  constructor(
    private readonly gateway: Gateway,
    private readonly options: ProducerRunsOptions,
  ) {}

  async start(body: z.infer<typeof startRunBody>): Promise<StartedRun> {
    const remote = new RemoteRun({ agentName: body.agent_name, silenceMs: this.options.silenceMs });
    const outcome = await this.gateway.startRun(body.user_id, {
      text: body.text,
      title: body.title,
      threadId: body.thread_id,
      clientMsgId: body.client_msg_id,
      runAgent: remote.agent,
    });
    if (!outcome.ok) throw new HttpError(STATUS_OF[outcome.code] ?? 400, outcome.code, outcome.message);
    if (outcome.fresh) this.own(body.user_id, outcome.runId, remote);
    return { run_id: outcome.runId, thread_id: outcome.threadId, fresh: outcome.fresh };
  }

  /** The run `runId` of `userId` owned here; any other case is an HTTP refusal that says why. */
  async find(runId: string, userId: string): Promise<RemoteRun> {
    const owned = this.runs.get(runId);
    if (owned && owned.userId === userId) return owned.remote;
    const record = owned ? undefined : await this.gateway.bus.runs.get(runId);
    // Another user's run and no run at all look the same: a producer learns nothing of other users.
    if (!record || record.userId !== userId) throw new HttpError(404, 'not_found', 'run_id: no such run of this user');
    if (record.status === 'running') {
      throw new HttpError(409, 'run_elsewhere', 'this run is owned by another gateway process: send its requests to the process that started it');
    }
    throw new HttpError(409, 'run_ended', 'this run has ended');
  }

  get size(): number {
    return this.runs.size;
  }

  private own(userId: string, runId: string, remote: RemoteRun): void {
    this.runs.set(runId, { userId, remote });
    const handle = this.gateway.scopeFor({ userId }).runs.get(runId);
    const ended = (): void => {
      remote.close();
      // Kept a while so that a retried append of an ended run still answers its first result.
      setTimeout(() => this.runs.delete(runId), this.options.lingerMs ?? LINGER_MS).unref();
    };
    if (handle) void handle.done.then(ended, ended);
    else ended();
  }
}
