/** Who is acting. Built by the gateway from a verified token, never from a payload. */
export interface UserContext {
  readonly userId: string;
  readonly threadId?: string;
  readonly runId?: string;
}

export function userContext(userId: string, ids: { threadId?: string; runId?: string } = {}): UserContext {
  return Object.freeze({ userId, ...ids });
}
