import { useCallback, useEffect, useRef, useState } from 'react';
import type { StreamEvent, ThreadSummary } from '../protocol/types.js';
import type { Agentwire } from './use-agentwire.js';

export interface Threads {
  /** The caller's threads, most recently updated first. */
  threads: ThreadSummary[];
  /** True while the server has older threads than those listed. */
  hasMore: boolean;
  /** The last failure of a list request (undefined after a success). */
  error: Error | undefined;
  loadMore(): Promise<void>;
  refresh(): Promise<void>;
  /** `PATCH /threads/:id`; every tab sees the new title through `thread_updated`. */
  rename(threadId: string, title: string): Promise<void>;
  /** `DELETE /threads/:id`; every tab sees it go through `thread_deleted`. */
  remove(threadId: string): Promise<void>;
}

/**
 * The user's thread list (`GET /threads`), kept current by the stream: a `user_message` of
 * a thread not listed (a new thread, from any tab) refetches, `thread_updated` renames and
 * `thread_deleted` removes (docs/protocol.md "History": thread changes reach every tab).
 */
export function useThreads(aw: Agentwire): Threads {
  const { client, api } = aw;
  const [threads, setThreads] = useState<ThreadSummary[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [error, setError] = useState<Error>();
  // Whether older pages were fetched, so a refresh keeps them below the newest page.
  const pagedRef = useRef(false);
  const threadsRef = useRef(threads);
  threadsRef.current = threads;

  const refresh = useCallback(async () => {
    try {
      const page = await api.threads();
      setError(undefined);
      setThreads((old) => {
        const fresh = new Set(page.threads.map((t) => t.thread_id));
        return [...page.threads, ...(pagedRef.current ? old.filter((t) => !fresh.has(t.thread_id)) : [])];
      });
      if (!pagedRef.current) setCursor(page.next_cursor);
    } catch (failure) {
      setError(failure as Error);
    }
  }, [api]);

  const loadMore = useCallback(async () => {
    if (!cursor) return;
    try {
      const page = await api.threads(cursor);
      pagedRef.current = true;
      setError(undefined);
      setThreads((old) => {
        const known = new Set(old.map((t) => t.thread_id));
        return [...old, ...page.threads.filter((t) => !known.has(t.thread_id))];
      });
      setCursor(page.next_cursor);
    } catch (failure) {
      setError(failure as Error);
    }
  }, [api, cursor]);

  useEffect(() => {
    if (!client) return;
    const offConnected = client.on('connected', () => void refresh());
    const offGap = client.on('resume_gap', () => void refresh());
    const offEvent = client.on('event', (event: StreamEvent) => {
      if (event.type === 'thread_deleted') return setThreads((old) => old.filter((t) => t.thread_id !== event.thread_id));
      if (event.type === 'thread_updated') {
        const { title } = (event as StreamEvent<'thread_updated'>).data;
        if (!threadsRef.current.some((t) => t.thread_id === event.thread_id)) return void refresh();
        return setThreads((old) => old.map((t) => (t.thread_id === event.thread_id ? { ...t, title } : t)));
      }
      // A new message (the first one names a new thread) moves its thread up: refetch.
      if (event.type === 'user_message' || !threadsRef.current.some((t) => t.thread_id === event.thread_id)) void refresh();
    });
    return () => {
      offConnected();
      offGap();
      offEvent();
    };
  }, [client, refresh]);

  const rename = useCallback(
    async (threadId: string, title: string) => {
      const updated = await api.rename(threadId, title);
      setThreads((old) => old.map((t) => (t.thread_id === threadId ? { ...t, title: updated.title } : t)));
    },
    [api],
  );

  const remove = useCallback(
    async (threadId: string) => {
      await api.remove(threadId);
      setThreads((old) => old.filter((t) => t.thread_id !== threadId));
    },
    [api],
  );

  return { threads, hasMore: cursor !== null, error, loadMore, refresh, rename, remove };
}
