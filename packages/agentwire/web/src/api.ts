import type { StreamEvent, ThreadSummary } from '../../src/client.js';

/** An HTTP failure with the server's error code, so the page can react to 401. */
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
  const body = (await res.json().catch(() => ({}))) as { error?: { code?: string; message?: string } };
  if (!res.ok) throw new ApiError(res.status, body.error?.code ?? 'http_error', body.error?.message ?? `HTTP ${res.status}`);
  return body as T;
}

export function login(username: string): Promise<{ token: string; expires_at: string }> {
  return request('/auth/login', { method: 'POST', body: JSON.stringify({ username }) });
}

export async function ticket(token: string): Promise<string> {
  return (await request<{ ticket: string }>('/auth/ticket', { method: 'POST', token })).ticket;
}

export async function threads(token: string): Promise<ThreadSummary[]> {
  return (await request<{ threads: ThreadSummary[] }>('/threads', { token })).threads;
}

export async function threadEvents(token: string, threadId: string): Promise<StreamEvent[]> {
  return (await request<{ events: StreamEvent[] }>(`/threads/${encodeURIComponent(threadId)}/events`, { token })).events;
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
