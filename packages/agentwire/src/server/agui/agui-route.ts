import type { ServerResponse } from 'node:http';
import { EventEncoder } from '@ag-ui/encoder';
import type { Gateway } from '../../gateway/gateway.js';
import type { StreamEvent, WireErrorCode } from '../../protocol/types.js';
import { AguiEventMapper, endsRun } from './event-map.js';
import { parseRunInput } from './run-input.js';
import { aguiThreadId } from './thread-ids.js';

/** An answer other than the event stream: the HTTP status and the `{"error": ...}` body. */
export interface AguiRefusal {
  readonly status: number;
  readonly code: string;
  readonly message: string;
}

/** Largest `POST /agui` body: AG-UI clients send the whole conversation every run. */
export const AGUI_MAX_BODY_BYTES = 1024 * 1024;

/** A comment line now and then keeps proxies from closing a stream that waits on a slow tool. */
const KEEPALIVE_MS = 15_000;

/**
 * `POST /agui`: runs an agent for the caller from an AG-UI RunAgentInput through
 * `gateway.startRun` (the same path, runner and notifier as `user_message` on `/ws`, so
 * the run is on the user's WebSocket stream too) and streams it back as AG-UI events over
 * SSE. Returns a refusal instead when the run cannot start; the caller answers it.
 * Closing the stream before the run ended stops the run (AG-UI's `abortRun`).
 */
export async function serveAguiRun(gateway: Gateway, userId: string, body: unknown, res: ServerResponse): Promise<AguiRefusal | undefined> {
  const parsed = parseRunInput(body);
  if (!parsed.ok) return { status: 400, code: 'invalid_message', message: parsed.message };
  const { input, text, agent } = parsed.request;

  const mapper = new AguiEventMapper({ threadId: input.threadId, runId: input.runId });
  const encoder = new EventEncoder();
  const following = new AbortController();
  // Events that arrive before the run is known to have started wait for the 200.
  let pending: StreamEvent[] | undefined = [];
  let ended = false;
  const send = (event: StreamEvent): void => {
    for (const out of mapper.map(event)) res.write(encoder.encodeSSE(out));
    if (endsRun(event)) {
      ended = true;
      res.end();
    }
  };
  const onEvent = (event: StreamEvent): void => {
    if (pending) pending.push(event);
    else if (!res.writableEnded) send(event);
  };

  const thread = aguiThreadId(userId, input.threadId);
  const outcome = await gateway.startRun(
    userId,
    { text, threadId: thread.threadId, clientMsgId: `agui:${input.runId}`, agent, createThread: thread.mayCreate },
    { onEvent, signal: following.signal },
  );
  if (!outcome.ok) return refusal(outcome.code, outcome.message);
  if (!outcome.fresh) return { status: 409, code: 'duplicate_run', message: `runId: run "${input.runId}" was already started; send a new runId` };

  res.writeHead(200, { 'content-type': encoder.getContentType(), 'cache-control': 'no-cache', 'x-accel-buffering': 'no' });
  res.flushHeaders();
  const keepalive = setInterval(() => res.write(': keep-alive\n\n'), KEEPALIVE_MS);
  keepalive.unref();
  const stopUnlessEnded = (): void => {
    clearInterval(keepalive);
    following.abort();
    if (ended) return;
    gateway.stopRun(userId, outcome.runId).catch(() => {
      // The run may have ended meanwhile; its terminal event is on the user's stream either way.
    });
  };
  if (res.closed) stopUnlessEnded();
  else res.on('close', stopUnlessEnded);
  const early = pending;
  pending = undefined;
  for (const event of early) send(event);
  return undefined;
}

function refusal(code: WireErrorCode, message: string): AguiRefusal {
  switch (code) {
    case 'forbidden':
      // As over HTTP everywhere: another user's thread and a missing one look the same.
      return { status: 404, code: 'not_found', message: 'threadId: no such thread of yours' };
    case 'too_many_runs':
      return { status: 429, code, message };
    case 'unavailable':
      return { status: 503, code, message };
    case 'invalid_message':
      return { status: 400, code, message };
    default:
      return { status: 500, code: 'internal', message };
  }
}
