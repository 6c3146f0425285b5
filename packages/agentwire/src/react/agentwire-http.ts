import type { ThreadSummary } from '../protocol/types.js';
import type { ThreadSnapshot } from '../history/snapshot.js';

/**
 * An HTTP answer that is not a success: `status` (0 when the server could not be reached)
 * and the server's error `code` (docs/protocol.md "HTTP"), so callers branch on
 * codes, never on message text.
 */
export class AgentwireHttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'AgentwireHttpError';
  }
}

/** A page of `GET /threads`, most recently updated first. */
export interface ThreadListPage {
  threads: ThreadSummary[];
  /** Cursor of the next (older) page; null on the last one. */
  next_cursor: string | null;
}

export interface AgentInfo {
  name: string;
  description?: string;
}

export interface AgentwireHttpOptions {
  /** Origin (and path prefix) of the agentwire HTTP API; '' for the page's own server. */
  baseUrl: string;
  /** The user's JWT, sent as `Authorization: Bearer`. */
  token: string;
  /** Overrides `fetch` (tests, or a custom agent); default the global one. */
  fetch?: typeof fetch;
}

/**
 * The HTTP routes a front end uses beside the socket (docs/protocol.md "HTTP" and
 * "History (protocol 1.1)"): tickets for the browser's WebSocket, the thread list, a
 * thread's messages (the snapshot a live view follows from), rename and delete.
 */
export class AgentwireHttp {
  private readonly fetcher: typeof fetch;

  constructor(private readonly options: AgentwireHttpOptions) {
    this.fetcher = options.fetch ?? ((input, init) => fetch(input, init));
  }

  /** `POST /auth/login` of the standalone server's dev mode: a token for a name. */
  static async devLogin(baseUrl: string, username: string, fetcher: typeof fetch = fetch): Promise<{ token: string; expires_at: string }> {
    return request(fetcher, `${baseUrl}/auth/login`, { method: 'POST', body: JSON.stringify({ username }) });
  }

  /** `GET /agents` (no credentials needed): the registered agents and the default one. */
  static agents(baseUrl: string, fetcher: typeof fetch = fetch): Promise<{ agents: AgentInfo[]; default: string }> {
    return request(fetcher, `${baseUrl}/agents`, {});
  }

  /** `POST /auth/ticket`: a single-use ticket for one WebSocket connection attempt. */
  async ticket(): Promise<string> {
    return (await this.call<{ ticket: string }>('/auth/ticket', { method: 'POST' })).ticket;
  }

  /** One page of the caller's threads. */
  async threads(cursor?: string | null, limit = 50): Promise<ThreadListPage> {
    const query = new URLSearchParams({ limit: String(limit) });
    if (cursor) query.set('cursor', cursor);
    const page = await this.call<Partial<ThreadListPage>>(`/threads?${query.toString()}`, {});
    return { threads: page.threads ?? [], next_cursor: page.next_cursor ?? null };
  }

  /** `GET /threads/:id/messages`: the newest messages, or those before `before`, with the stream position they reflect. */
  messages(threadId: string, before?: string | null, limit = 100): Promise<ThreadSnapshot> {
    const query = new URLSearchParams({ limit: String(limit) });
    if (before) query.set('before', before);
    return this.call(`${threadPath(threadId)}/messages?${query.toString()}`, {});
  }

  rename(threadId: string, title: string): Promise<ThreadSummary> {
    return this.call(threadPath(threadId), { method: 'PATCH', body: JSON.stringify({ title }) });
  }

  async remove(threadId: string): Promise<void> {
    await this.call<undefined>(threadPath(threadId), { method: 'DELETE' });
  }

  private call<T>(path: string, init: RequestInit): Promise<T> {
    return request(this.fetcher, `${this.options.baseUrl}${path}`, init, this.options.token);
  }
}

const threadPath = (threadId: string): string => `/threads/${encodeURIComponent(threadId)}`;

async function request<T>(fetcher: typeof fetch, url: string, init: RequestInit, token?: string): Promise<T> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (token) headers['authorization'] = `Bearer ${token}`;
  let res: Response;
  try {
    res = await fetcher(url, { ...init, headers });
  } catch {
    throw new AgentwireHttpError(0, 'network', 'The server cannot be reached.');
  }
  if (res.status === 204) return undefined as T;
  const body = (await res.json().catch(() => ({}))) as { error?: { code?: string; message?: string } };
  if (!res.ok) throw new AgentwireHttpError(res.status, body.error?.code ?? 'http_error', body.error?.message ?? `HTTP ${res.status}`);
  return body as T;
}
