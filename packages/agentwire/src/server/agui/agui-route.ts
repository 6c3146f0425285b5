import type { IncomingMessage, ServerResponse } from 'node:http';
import { EventType } from '@ag-ui/core';
import { EventEncoder } from '@ag-ui/encoder';
import type { Gateway } from '../../gateway/gateway.js';
import type { StreamEvent } from '../../protocol/types.js';
import { clientThreadId, clientThreadIdProblem } from '../client-thread-ids.js';
import { HttpError } from '../http-io.js';
import { runRefusal } from '../run-refusal.js';
import { followRun } from '../run-stream.js';
import { AguiEventMapper } from './event-map.js';
import { parseRunInput } from './run-input.js';

/** Largest `POST /agui` body: AG-UI clients send the whole conversation every run. */
export const AGUI_MAX_BODY_BYTES = 1024 * 1024;

/** A comment line now and then keeps proxies from closing a stream that waits on a slow tool. */
const KEEPALIVE_MS = 15_000;

/** How many of a thread's newest messages `GET /agui` searches for the run it names. */
const RUN_LOOKUP_MESSAGES = 100;

export interface AguiRouteOptions {
  /** The behaviour before resume existed: closing the stream before the run ended stops the run. */
  readonly stopOnClose?: boolean | undefined;
}

/** One run to stream as AG-UI events: agentwire's run, the client's ids, and where the client stands. */
interface AguiStream {
  readonly runId: string;
  readonly ids: { readonly threadId: string; readonly runId: string };
  /** The agentwire seq of the last event the client has (`Last-Event-ID`), 0 for none. */
  readonly afterSeq: number;
}

/**
 * `POST /agui`: runs an agent for the caller from an AG-UI RunAgentInput through
 * `gateway.startRun` (the same path, runner and notifier as `user_message` on `/ws`, so
 * the run is on the user's WebSocket stream and in their history too) and streams it back
 * as AG-UI events over SSE (docs/agents.md, "AG-UI"). Each agentwire event's AG-UI events
 * end with `id: <seq>`; the same request again (same `runId`) with `Last-Event-ID`
 * rejoins the run and receives exactly the rest. Closing the stream leaves the run running.
 */
export async function serveAguiRun(gateway: Gateway, userId: string, body: unknown, req: IncomingMessage, res: ServerResponse, options: AguiRouteOptions): Promise<void> {
  const parsed = parseRunInput(body);
  if (!parsed.ok) throw new HttpError(400, 'invalid_message', parsed.message);
  const { input, text, agent } = parsed.request;
  const afterSeq = lastEventId(req);
  const thread = clientThreadId(userId, input.threadId);
  const outcome = await gateway.startRun(userId, { text, threadId: thread.threadId, clientMsgId: `agui:${input.runId}`, agent, createThread: thread.mayCreate });
  if (!outcome.ok) throw runRefusal(outcome.code, outcome.message, 'threadId');
  if (!outcome.fresh && afterSeq === undefined) {
    throw new HttpError(409, 'duplicate_run', `runId: run "${input.runId}" was already started; send a new runId, or Last-Event-ID to rejoin it`);
  }
  const stream = { runId: outcome.runId, ids: { threadId: input.threadId, runId: input.runId }, afterSeq: afterSeq ?? 0 };
  await streamAgui(gateway, userId, stream, res, outcome.fresh && options.stopOnClose === true);
}

/**
 * `GET /agui?threadId=&runId=` (the client's own ids, as in its RunAgentInput): the run's
 * AG-UI events again, all of them or after `Last-Event-ID`, following it live if it still runs.
 */
export async function serveAguiRejoin(gateway: Gateway, userId: string, url: URL, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const clientThread = url.searchParams.get('threadId') ?? '';
  const clientRun = url.searchParams.get('runId') ?? '';
  const badThread = clientThreadIdProblem('threadId', clientThread);
  if (badThread) throw new HttpError(400, 'invalid_request', badThread);
  if (!clientRun) throw new HttpError(400, 'invalid_request', 'runId: the runId the run was started with is required');
  const { threadId } = clientThreadId(userId, clientThread);
  const notFound = new HttpError(404, 'not_found', 'no such run in a thread of yours');
  if (!(await gateway.threads.owned(userId, threadId))) throw notFound;
  const page = await gateway.store.messages.page(threadId, { limit: RUN_LOOKUP_MESSAGES });
  const asked = page.messages.find((m) => m.message.role === 'user' && m.message.client_msg_id === `agui:${clientRun}`);
  if (!asked) throw notFound;
  const stream = { runId: asked.message.run_id, ids: { threadId: clientThread, runId: clientRun }, afterSeq: lastEventId(req) ?? 0 };
  await streamAgui(gateway, userId, stream, res, false);
}

async function streamAgui(gateway: Gateway, userId: string, stream: AguiStream, res: ServerResponse, stopOnClose: boolean): Promise<void> {
  const mapper = new AguiEventMapper(stream.ids);
  const encoder = new EventEncoder();
  const following = new AbortController();
  // Every event of the run is mapped (the mapper opens and closes messages); only those after the client's position are sent.
  let rejoining = stream.afterSeq > 0;
  const write = (event: StreamEvent): void => {
    if (event.seq <= stream.afterSeq) {
      mapper.map(event);
      return;
    }
    const prologue = rejoining ? mapper.rejoinPrologue().map((e) => encoder.encodeSSE(e)) : [];
    const out = mapper.map(event);
    if (out.length === 0 || res.writableEnded) return;
    rejoining = false;
    const frames = out.map((e) => encoder.encodeSSE(e));
    // The id goes on the batch's last event: a client cut off inside a batch rejoins before it.
    frames[frames.length - 1] = `id: ${event.seq}\n${frames[frames.length - 1]!}`;
    res.write([...prologue, ...frames].join(''));
  };
  res.writeHead(200, { 'content-type': encoder.getContentType(), 'cache-control': 'no-cache', 'x-accel-buffering': 'no' });
  res.flushHeaders();
  const keepalive = setInterval(() => res.write(': keep-alive\n\n'), KEEPALIVE_MS);
  keepalive.unref();
  let ended = false;
  const onClose = (): void => {
    clearInterval(keepalive);
    following.abort();
    if (!stopOnClose || ended) return;
    gateway.stopRun(userId, stream.runId).catch(() => {
      // The run may have ended meanwhile; its terminal event is on the user's stream either way.
    });
  };
  if (res.closed) onClose();
  else res.on('close', onClose);
  const follow = await followRun(gateway.bus.log, userId, stream.runId, 0, write, following.signal);
  const end = follow.complete ? await follow.done : 'unretained';
  ended = end === 'ended';
  clearInterval(keepalive);
  // Not the run's end: a RUN_ERROR says why, and the run may still be rejoined by GET /agui while it runs.
  if (end === 'reset' || end === 'unretained') {
    const message = end === 'reset' ? "the user's stream lost its history; rejoin the run" : "the run's first events are no longer retained; see GET /threads/:id/messages";
    res.write(encoder.encodeSSE({ type: EventType.RUN_ERROR, code: end, message }));
  }
  res.end();
}

/** `Last-Event-ID`: the agentwire seq of the last event the client received. */
function lastEventId(req: IncomingMessage): number | undefined {
  const raw = req.headers['last-event-id'];
  if (raw === undefined) return undefined;
  const value = Array.isArray(raw) ? raw[0] : raw;
  if (value === undefined || !/^\d{1,15}$/.test(value)) throw new HttpError(400, 'invalid_request', 'Last-Event-ID: must be the seq of an event received (a non-negative integer)');
  return Number(value);
}
