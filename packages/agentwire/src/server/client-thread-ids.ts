import { createHash } from 'node:crypto';

/** Client-chosen thread ids become agentwire thread ids, served in URLs such as `/threads/:id/events`. */
const CLIENT_THREAD_ID = /^[A-Za-z0-9_.:-]{1,128}$/;

/** Why `id` cannot name a thread (`field` names it in the message), or undefined when it can. */
export function clientThreadIdProblem(field: string, id: string): string | undefined {
  return CLIENT_THREAD_ID.test(id) ? undefined : `${field}: 1 to 128 characters of A-Z a-z 0-9 _ . : -`;
}

/**
 * Front ends that are not agentwire's own (AG-UI's `threadId`, the AI SDK's chat `id`)
 * choose their own thread ids ("default", a UUID...), while agentwire's thread ids are
 * global and owned. A client-chosen id is therefore mapped into the caller's own
 * namespace: two users who pick the same id get two private threads, and no answer can
 * reveal that someone else uses an id. An id agentwire issued (`thr_...`, e.g. from
 * `message_accepted` or `GET /threads`, or an `agui_...` one) is used as it is, with the
 * ownership rule of `/ws`: someone else's and an unknown one are refused alike. The
 * `agui_` prefix is historical (AG-UI came first); every such front end shares it, so
 * one chat id names one thread over AG-UI and the AI SDK alike.
 */
export function clientThreadId(userId: string, clientThreadId: string): { threadId: string; mayCreate: boolean } {
  if (isIssuedThreadId(clientThreadId)) return { threadId: clientThreadId, mayCreate: false };
  const digest = createHash('sha256').update(`${userId}\u0000${clientThreadId}`).digest('base64url').slice(0, 24);
  return { threadId: `agui_${digest}`, mayCreate: true };
}

function isIssuedThreadId(id: string): boolean {
  return id.startsWith('thr_') || id.startsWith('agui_');
}
