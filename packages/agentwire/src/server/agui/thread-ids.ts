import { createHash } from 'node:crypto';

/**
 * AG-UI clients choose their own thread ids ("default", a UUID...), while agentwire's
 * thread ids are global and owned. A client-chosen id is therefore mapped into the
 * caller's own namespace: two users who pick the same id get two private threads, and
 * no answer can reveal that someone else uses an id. An id agentwire issued (`thr_...`,
 * e.g. from `message_accepted` or `GET /threads`) is used as it is, with the ownership
 * rule of `/ws`: someone else's and an unknown one are refused alike.
 */
export function aguiThreadId(userId: string, clientThreadId: string): { threadId: string; mayCreate: boolean } {
  if (isIssuedThreadId(clientThreadId)) return { threadId: clientThreadId, mayCreate: false };
  const digest = createHash('sha256').update(`${userId}\u0000${clientThreadId}`).digest('base64url').slice(0, 24);
  return { threadId: `agui_${digest}`, mayCreate: true };
}

function isIssuedThreadId(id: string): boolean {
  return id.startsWith('thr_') || id.startsWith('agui_');
}
