import type { UIMessageChunk } from 'ai';
import type { Gateway } from '../../gateway/gateway.js';
import { clientThreadId } from '../client-thread-ids.js';
import { followRun, type RunFollowEnd } from '../run-stream.js';
import { UiChunkMapper } from './chunk-map.js';

/** One of the caller's runs, as the AI SDK transports name it: the chat's thread and the run. */
export interface ChatRun {
  readonly threadId: string;
  readonly runId: string;
}

/** How a chunk stream ended: the run's own end, a stop of following, a reset stream, or a run no longer retained. */
export type ChunkStreamEnd = RunFollowEnd | 'unretained';

/**
 * The run in flight of the caller's chat, if any: the run of the thread's newest user
 * message while the run directory says it runs. Another user's chat id names another
 * thread (client-thread-ids.ts), so it finds nothing.
 */
export async function activeChatRun(gateway: Gateway, userId: string, chatId: string): Promise<ChatRun | undefined> {
  const { threadId } = clientThreadId(userId, chatId);
  if (!(await gateway.threads.owned(userId, threadId))) return undefined;
  const page = await gateway.store.messages.page(threadId, { limit: 2 });
  const newest = page.messages.findLast((m) => m.message.role === 'user');
  if (!newest) return undefined;
  const run = await gateway.bus.runs.get(newest.message.run_id);
  return run?.status === 'running' ? { threadId, runId: run.runId } : undefined;
}

/**
 * Streams a run as UI message chunks with their `sequence`, the chunk's index in the
 * run's whole chunk list (chunk-map.ts), from `afterSequence + 1` (-1: all of it) to the
 * run's end. The run is read from its user's stream (replay, then follow), so it may run
 * on any process. When retention dropped its first events, a whole replay starts from
 * the stored message instead (snapshot, then follow: docs/protocol.md, "History"); a
 * replay from a sequence cannot, and ends `unretained` (docs/ai-sdk.md, "Resume").
 */
export async function streamRunChunks(
  gateway: Gateway,
  userId: string,
  run: ChatRun,
  afterSequence: number,
  emit: (sequence: number, chunk: UIMessageChunk) => void,
  signal: AbortSignal,
): Promise<ChunkStreamEnd> {
  const mapper = new UiChunkMapper(run.threadId);
  let index = -1;
  const push = (chunks: readonly UIMessageChunk[]): void => {
    for (const chunk of chunks) {
      index++;
      if (index > afterSequence && !signal.aborted) emit(index, chunk);
    }
  };
  const whole = await followRun(gateway.bus.log, userId, run.runId, 0, (event) => push(mapper.map(event)), signal);
  if (whole.complete) return whole.done;
  if (afterSequence >= 0) return 'unretained';
  const snapshot = await gateway.threads.messages(userId, run.threadId, { limit: 2 });
  const message = snapshot?.messages.find((m) => m.role === 'assistant' && m.run_id === run.runId);
  if (!snapshot || message?.role !== 'assistant') return 'unretained';
  push(mapper.replayMessage(message));
  if (mapper.finished) return 'ended';
  const rest = await followRun(gateway.bus.log, userId, run.runId, snapshot.stream.last_seq, (event) => push(mapper.map(event)), signal);
  return rest.complete ? rest.done : 'unretained';
}
