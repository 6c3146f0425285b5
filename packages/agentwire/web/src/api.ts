import type { StreamEvent, ThreadSummary } from '../../src/client.js';
import type { ThreadPage, ThreadSnapshot } from './history-types.js';

/** An HTTP failure with the server's error code, so the page can react to 401 and 404. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

async function request<T>(path: string, init: RequestInit & { token?: string } = {}): Promise<T> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (init.token) headers['authorization'] = `Bearer ${init.token}`;
  let res: Response;
  try {
    res = await fetch(path, { ...init, headers });
  } catch {
    throw new ApiError(0, 'network', 'The server cannot be reached.');
  }
  if (res.status === 204) return undefined as T;
  const body = (await res.json().catch(() => ({}))) as { error?: { code?: string; message?: string } };
  if (!res.ok) throw new ApiError(res.status, body.error?.code ?? 'http_error', body.error?.message ?? `HTTP ${res.status}`);
  return body as T;
}

const threadPath = (threadId: string) => `/threads/${encodeURIComponent(threadId)}`;

export function login(username: string): Promise<{ token: string; expires_at: string }> {
  return request('/auth/login', { method: 'POST', body: JSON.stringify({ username }) });
}

export async function ticket(token: string): Promise<string> {
  return (await request<{ ticket: string }>('/auth/ticket', { method: 'POST', token })).ticket;
}

/** One page of the caller's threads, most recently updated first. */
export async function threads(token: string, cursor?: string | null): Promise<ThreadPage<ThreadSummary>> {
  const query = new URLSearchParams({ limit: '50' });
  if (cursor) query.set('cursor', cursor);
  const page = await request<Partial<ThreadPage<ThreadSummary>>>(`/threads?${query.toString()}`, { token });
  return { threads: page.threads ?? [], next_cursor: page.next_cursor ?? null };
}

/** What a thread's history came from: the durable snapshot, or (v1 servers) the retained events. */
export type History = { kind: 'snapshot'; snapshot: ThreadSnapshot } | { kind: 'events'; events: StreamEvent[] };

/**
 * `GET /threads/:id/messages` (protocol 1.1). A server of protocol 1.0 has no such route and
 * answers 404 to it; the page then reads `/events`, which answers 404 only for a thread that
 * is not the caller's, so a missing thread is still reported as missing.
 */
export async function history(token: string, threadId: string, before?: string): Promise<History> {
  const query = new URLSearchParams({ limit: '100' });
  if (before) query.set('before', before);
  try {
    return { kind: 'snapshot', snapshot: await request<ThreadSnapshot>(`${threadPath(threadId)}/messages?${query.toString()}`, { token }) };
  } catch (error) {
    if (before || !(error instanceof ApiError && error.status === 404)) throw error;
    const { events } = await request<{ events: StreamEvent[] }>(`${threadPath(threadId)}/events`, { token });
    return { kind: 'events', events };
  }
}

export function renameThread(token: string, threadId: string, title: string): Promise<ThreadSummary> {
  return request(threadPath(threadId), { method: 'PATCH', token, body: JSON.stringify({ title }) });
}

export function deleteThread(token: string, threadId: string): Promise<void> {
  return request(threadPath(threadId), { method: 'DELETE', token });
}

export interface AgentInfo {
  name: string;
  description?: string;
}

export function agents(): Promise<{ agents: AgentInfo[]; default: string }> {
  return request('/agents');
}

/** The WebSocket endpoint beside the page (ws:// or wss:// to match the page). */
export function socketUrl(): string {
  const url = new URL('/ws', location.href);
  url.protocol = location.protocol === 'https:' ? 'wss:' : 'ws:';
  return url.toString();
}
