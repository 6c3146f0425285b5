// A typed client of the producer API (docs/producers.md) for agents in Node processes outside
// the gateway. Uses the global fetch (Node >= 20), which keeps connections alive between requests.
import { AgentwireError } from '../errors.js';
import type { RunErrorCode } from '../protocol/types.js';

export interface ProducerClientOptions {
  /** The gateway's base URL, e.g. `http://127.0.0.1:8080`. */
  readonly url: string;
  /** A producer API key (`AGENTWIRE_PRODUCER_KEYS`) or a JWT with the `agentwire:producer` scope. */
  readonly credential: string;
  /** Attempts per request on a network error or a 5xx; appends are retried with the same keys. Default 3. */
  readonly attempts?: number;
  readonly fetch?: typeof fetch;
}

export interface StartRunInput {
  readonly userId: string;
  /** Omitted: a new thread. */
  readonly threadId?: string;
  /** Idempotency of the start: the same id again answers the first run. */
  readonly clientMsgId?: string;
  /** Shown as `agent_started.agent_name`; default `producer`. */
  readonly agentName?: string;
  /** The user's message this run answers; omitted for an agent-initiated run. */
  readonly text?: string;
  /** Title of a new thread when there is no `text`. */
  readonly title?: string;
}

/** One event as the producer API takes it; `key` makes its append idempotent. */
export type ProducerEventInput =
  | { readonly type: 'agent_thinking'; readonly data: { readonly text: string } }
  | { readonly type: 'agent_message_delta'; readonly data: { readonly delta: string } }
  | { readonly type: 'tool_executing'; readonly data: { readonly tool_call_id: string; readonly tool_name: string; readonly args: unknown } }
  | { readonly type: 'tool_completed'; readonly data: { readonly tool_call_id: string; readonly result: unknown } | { readonly tool_call_id: string; readonly error: string } }
  | { readonly type: 'agent_completed'; readonly data: Record<string, never> }
  | { readonly type: 'agent_error'; readonly data: { readonly code: RunErrorCode; readonly message: string } };

export interface AppendedEventResult {
  readonly key: string;
  readonly type: string;
  readonly seq: number;
}

/** Thrown for a refusal; `code` is the API's (`golden_path`, `run_stopped`, `not_found`...), `rule` the golden-path rule broken. */
export class ProducerRequestError extends AgentwireError {
  constructor(
    readonly status: number,
    readonly apiCode: string,
    message: string,
    readonly rule?: string,
  ) {
    super(apiCode === 'run_stopped' ? 'AW_ERR_PRODUCER_STOPPED' : 'AW_ERR_PRODUCER_REFUSED', `${status} ${apiCode}: ${message}`);
  }
}

interface ErrorBody {
  readonly error?: { readonly code?: string; readonly message?: string; readonly rule?: string };
}

/** Talks to one gateway's producer API. */
export class ProducerClient {
  private readonly base: string;
  private readonly attempts: number;
  private readonly fetchFn: typeof fetch;

  constructor(private readonly options: ProducerClientOptions) {
    this.base = options.url.replace(/\/+$/, '');
    this.attempts = options.attempts ?? 3;
    this.fetchFn = options.fetch ?? fetch;
  }

  /** Starts a run for a user; its `agent_started` is on the user's stream when this resolves. */
  async startRun(input: StartRunInput): Promise<ProducerRun> {
    const body = {
      user_id: input.userId,
      thread_id: input.threadId,
      client_msg_id: input.clientMsgId,
      agent_name: input.agentName,
      text: input.text,
      title: input.title,
    };
    const started = (await this.request('POST', '/producer/runs', body)) as { run_id: string; thread_id: string; fresh: boolean };
    return new ProducerRun(this, input.userId, started.run_id, started.thread_id, started.fresh);
  }

  /** One request, retried on a network error or 5xx (the API's appends are idempotent by key). */
  async request(method: 'GET' | 'POST', path: string, body?: unknown): Promise<unknown> {
    let lastError: unknown;
    for (let attempt = 1; attempt <= this.attempts; attempt++) {
      let response: Response;
      try {
        response = await this.fetchFn(`${this.base}${path}`, {
          method,
          headers: { authorization: `Bearer ${this.options.credential}`, ...(body !== undefined && { 'content-type': 'application/json' }) },
          ...(body !== undefined && { body: JSON.stringify(body) }),
        });
      } catch (error) {
        lastError = error;
        continue;
      }
      const parsed = (await response.json().catch(() => ({}))) as ErrorBody;
      if (response.ok) return parsed;
      const error = new ProducerRequestError(response.status, parsed.error?.code ?? 'unknown', parsed.error?.message ?? response.statusText, parsed.error?.rule);
      if (response.status < 500) throw error;
      lastError = error;
    }
    throw lastError;
  }
}

/** A run started through the producer API: its events, its end, and whether the user asked to stop. */
export class ProducerRun {
  private nextKey = 0;
  private stopped = false;

  constructor(
    private readonly client: ProducerClient,
    readonly userId: string,
    readonly runId: string,
    readonly threadId: string,
    /** False when `clientMsgId` named a run started before. */
    readonly fresh: boolean,
  ) {}

  /** True once the gateway said the run ended without this producer (`stop_agent`, timeout). */
  get stopRequested(): boolean {
    return this.stopped;
  }

  thinking(text: string): Promise<AppendedEventResult[]> {
    return this.append([{ type: 'agent_thinking', data: { text } }]);
  }

  delta(delta: string): Promise<AppendedEventResult[]> {
    return this.append([{ type: 'agent_message_delta', data: { delta } }]);
  }

  toolExecuting(toolCallId: string, toolName: string, args: unknown): Promise<AppendedEventResult[]> {
    return this.append([{ type: 'tool_executing', data: { tool_call_id: toolCallId, tool_name: toolName, args } }]);
  }

  toolCompleted(toolCallId: string, outcome: { result: unknown } | { error: string }): Promise<AppendedEventResult[]> {
    return this.append([{ type: 'tool_completed', data: { tool_call_id: toolCallId, ...outcome } }]);
  }

  complete(): Promise<AppendedEventResult[]> {
    return this.append([{ type: 'agent_completed', data: {} }]);
  }

  fail(message: string, code: RunErrorCode = 'failed'): Promise<AppendedEventResult[]> {
    return this.append([{ type: 'agent_error', data: { code, message } }]);
  }

  /** Appends events in order; each gets its key here, so a retry of this call appends them once. */
  async append(events: readonly ProducerEventInput[]): Promise<AppendedEventResult[]> {
    const keyed = events.map((event) => ({ key: String(++this.nextKey), ...event }));
    try {
      const answer = (await this.client.request('POST', `/producer/runs/${encodeURIComponent(this.runId)}/events`, { user_id: this.userId, events: keyed })) as {
        appended: AppendedEventResult[];
      };
      return answer.appended;
    } catch (error) {
      if (error instanceof ProducerRequestError && error.apiCode === 'run_stopped') this.stopped = true;
      throw error;
    }
  }

  /** Long-polls the stop requests: true once the user asked to stop (or the run ended without us). */
  async waitForStop(waitMs: number): Promise<boolean> {
    const path = `/producer/runs/${encodeURIComponent(this.runId)}/stop?user_id=${encodeURIComponent(this.userId)}&wait_ms=${waitMs}`;
    const answer = (await this.client.request('GET', path)) as { stop_requested: boolean };
    if (answer.stop_requested) this.stopped = true;
    return answer.stop_requested;
  }
}
