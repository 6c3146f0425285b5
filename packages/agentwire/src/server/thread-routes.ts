import type { IncomingMessage, ServerResponse } from 'node:http';
import { isAgentwireError } from '../errors.js';
import type { ThreadService } from '../history/thread-service.js';
import type { ThreadSummary } from '../protocol/types.js';
import type { ThreadRecord } from '../store/types.js';
import { allow, cursorParam, HttpError, json, limitParam, pathSegment, readJson } from './http-io.js';

/** docs/protocol.md, "HTTP": `GET /threads` page size. */
const THREADS_DEFAULT_LIMIT = 50;
const THREADS_MAX_LIMIT = 200;
/** docs/protocol.md, "History": `GET /threads/:id/messages` page size. */
const MESSAGES_DEFAULT_LIMIT = 100;
const MESSAGES_MAX_LIMIT = 500;
const TITLE_MAX_LENGTH = 200;

const THREAD_PATH = /^\/threads\/([^/]{1,400})(\/messages)?$/;

export const summary = (t: ThreadRecord): ThreadSummary => ({ thread_id: t.threadId, title: t.title, created_at: t.createdAt, updated_at: t.updatedAt });

const notFound = (): HttpError => new HttpError(404, 'not_found', 'no such thread');

/** A store cursor the store did not issue is the caller's 400, named by its parameter. */
async function withCursor<T>(name: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (isAgentwireError(error, 'AW_ERR_STORE_CURSOR')) throw new HttpError(400, 'invalid_request', `${name}: not a cursor this server issued`);
    throw error;
  }
}

/**
 * `GET /threads`, `GET /threads/:id/messages`, `PATCH /threads/:id` and `DELETE /threads/:id`.
 * Resolves false when the path is none of them. Another user's thread answers 404, like
 * an unknown one.
 */
export async function serveThreadRoutes(
  threads: ThreadService,
  caller: () => Promise<string>,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
): Promise<boolean> {
  const method = req.method ?? 'GET';
  if (url.pathname === '/threads') {
    allow(method, 'GET');
    const userId = await caller();
    const limit = limitParam(url, THREADS_DEFAULT_LIMIT, THREADS_MAX_LIMIT);
    const cursor = cursorParam(url, 'cursor');
    const page = await withCursor('cursor', () => threads.list(userId, { limit, cursor }));
    json(res, 200, { threads: page.threads.map(summary), next_cursor: page.nextCursor });
    return true;
  }
  const match = THREAD_PATH.exec(url.pathname);
  if (!match) return false;
  const threadId = pathSegment(match[1]!, 'thread id');
  if (match[2]) {
    allow(method, 'GET');
    const userId = await caller();
    const limit = limitParam(url, MESSAGES_DEFAULT_LIMIT, MESSAGES_MAX_LIMIT);
    const before = cursorParam(url, 'before');
    const snapshot = await withCursor('before', () => threads.messages(userId, threadId, { limit, before }));
    if (!snapshot) throw notFound();
    json(res, 200, snapshot);
    return true;
  }
  allow(method, 'PATCH', 'DELETE');
  const userId = await caller();
  if (method === 'DELETE') {
    if (!(await threads.delete(userId, threadId))) throw notFound();
    res.writeHead(204).end();
    return true;
  }
  const body = await readJson(req);
  const title = body['title'];
  if (typeof title !== 'string' || title.trim().length === 0 || [...title].length > TITLE_MAX_LENGTH) {
    throw new HttpError(400, 'invalid_request', `title must be a string of 1 to ${TITLE_MAX_LENGTH} characters`);
  }
  const renamed = await threads.rename(userId, threadId, title);
  if (!renamed) throw notFound();
  json(res, 200, summary(renamed));
  return true;
}
