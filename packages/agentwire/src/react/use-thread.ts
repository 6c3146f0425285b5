import { useCallback, useEffect, useRef, useState } from 'react';
import type { Accepted, SendOptions } from '../client/client-types.js';
import type { StreamEvent } from '../protocol/types.js';
import type { ThreadMessage } from '../store/types.js';
import { AgentwireHttpError } from './agentwire-http.js';
import { ThreadFold, turnsOf } from './thread-fold.js';
import type { Agentwire } from './use-agentwire.js';

/** `loading` until the first snapshot; `missing` for a thread that is not the caller's (or was deleted). */
export type ThreadStatus = 'idle' | 'loading' | 'ready' | 'missing' | 'error';

export interface Thread {
  /** The durable messages plus the live ones, oldest first; a run in flight has its parts so far. */
  messages: readonly ThreadMessage[];
  status: ThreadStatus;
  /** The last failure of a history request. */
  error: Error | undefined;
  /** Runs of this thread in flight (their assistant message is running, or not there yet). */
  runningRunIds: string[];
  /** True while older messages than those shown can be fetched. */
  hasOlder: boolean;
  loadOlder(): Promise<void>;
  /** Sends into this thread (a new thread when `threadId` is undefined). */
  send(text: string, options?: Omit<SendOptions, 'threadId'>): Promise<Accepted>;
  /** Stops one run, or every run of the thread in flight. */
  stop(runId?: string): Promise<void>;
  /**
   * Answers an approval request of a run (protocol 1.2 "Approvals", the `approve_tool`
   * frame). Resolves with the request's `tool_approval_resolved` event, whichever tab's
   * answer won; every tab's view then shows the approval part resolved.
   */
  approve(runId: string, toolCallId: string, approved: boolean, options?: { reason?: string }): Promise<StreamEvent<'tool_approval_resolved'>>;
}

const NOT_CONNECTED = (): Promise<never> => Promise.reject(new Error('not connected yet'));

/**
 * One thread, snapshot-then-follow (docs/protocol.md "History (protocol 1.1)"): its
 * messages are fetched from `GET /threads/:id/messages`, and the stream events after the
 * snapshot's position are folded in with the server's own compaction (ThreadFold). A fresh
 * (not resumed) connection or a `resume_gap` refetches the snapshot; an event already in a
 * snapshot is never applied twice.
 */
export function useThread(aw: Agentwire, threadId: string | undefined): Thread {
  const { client, api } = aw;
  const foldRef = useRef<ThreadFold | undefined>(undefined);
  const [messages, setMessages] = useState<readonly ThreadMessage[]>([]);
  const [status, setStatus] = useState<ThreadStatus>(threadId ? 'loading' : 'idle');
  const [error, setError] = useState<Error>();
  const [olderCursor, setOlderCursor] = useState<string | null>(null);
  const generation = useRef(0);
  const loadingOlder = useRef(false);

  const load = useCallback(async () => {
    const fold = foldRef.current;
    if (!fold) return;
    const mine = ++generation.current;
    try {
      const snapshot = await api.messages(fold.threadId);
      if (mine !== generation.current || foldRef.current !== fold) return;
      fold.seed(snapshot.messages, snapshot.stream.last_seq);
      setOlderCursor(snapshot.next_before);
      setMessages(fold.view());
      setStatus('ready');
      setError(undefined);
    } catch (failure) {
      if (mine !== generation.current || foldRef.current !== fold) return;
      setError(failure as Error);
      setStatus(failure instanceof AgentwireHttpError && failure.status === 404 ? 'missing' : 'error');
    }
  }, [api]);

  // A new thread id: a new fold, then its snapshot.
  useEffect(() => {
    foldRef.current = threadId === undefined ? undefined : new ThreadFold(threadId);
    setMessages([]);
    setOlderCursor(null);
    setError(undefined);
    setStatus(threadId === undefined ? 'idle' : 'loading');
    void load();
  }, [threadId, load]);

  useEffect(() => {
    if (!client) return;
    const offEvent = client.on('event', (event: StreamEvent) => {
      const fold = foldRef.current;
      if (!fold || event.thread_id !== fold.threadId) return;
      if (event.type === 'thread_deleted') {
        setStatus('missing');
        return;
      }
      if (fold.apply(event)) setMessages(fold.view());
    });
    const offConnected = client.on('connected', (info) => {
      // A fresh stream: live events of the earlier stream life are dropped and the snapshot refetched.
      if (info.resumed) return;
      foldRef.current?.resetLive();
      void load();
    });
    const offGap = client.on('resume_gap', () => {
      foldRef.current?.resetLive();
      void load();
    });
    return () => {
      offEvent();
      offConnected();
      offGap();
    };
  }, [client, load]);

  const loadOlder = useCallback(async () => {
    const fold = foldRef.current;
    if (!fold || !olderCursor || loadingOlder.current) return;
    loadingOlder.current = true;
    try {
      const page = await api.messages(fold.threadId, olderCursor);
      if (foldRef.current !== fold) return;
      fold.prepend(page.messages);
      setOlderCursor(page.next_before);
      setMessages(fold.view());
    } catch (failure) {
      setError(failure as Error);
      throw failure;
    } finally {
      loadingOlder.current = false;
    }
  }, [api, olderCursor]);

  const runningRunIds = turnsOf(messages)
    .filter((turn) => turn.assistant === undefined || turn.assistant.status === 'running')
    .map((turn) => turn.runId);

  const send = useCallback(
    (text: string, options: Omit<SendOptions, 'threadId'> = {}) =>
      client ? client.send(text, { ...options, ...(threadId !== undefined && { threadId }) }) : NOT_CONNECTED(),
    [client, threadId],
  );

  const runningKey = runningRunIds.join();
  const stop = useCallback(
    async (runId?: string) => {
      if (!client) return NOT_CONNECTED();
      const ids = runId !== undefined ? [runId] : runningKey.split(',').filter(Boolean);
      await Promise.all(ids.map((id) => client.stop(id)));
    },
    [client, runningKey],
  );

  const approve = useCallback(
    (runId: string, toolCallId: string, approved: boolean, options: { reason?: string } = {}) =>
      client ? client.approveTool(runId, toolCallId, approved, options) : NOT_CONNECTED(),
    [client],
  );

  return { messages, status, error, runningRunIds, hasOlder: olderCursor !== null, loadOlder, send, stop, approve };
}
