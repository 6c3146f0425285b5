/** The signed-in user: one per browser (localStorage), shared by every tab of it. */
export interface Session {
  username: string;
  token: string;
  expiresAt: string;
}

const KEY = 'agentwire.session';
/** Why the last session ended, shown on the sign-in card of every tab. */
const REASON_KEY = 'agentwire.signed-out-reason';

export function loadSession(): Session | undefined {
  try {
    const session = JSON.parse(localStorage.getItem(KEY) ?? 'null') as Session | null;
    if (session && Date.parse(session.expiresAt) > Date.now() + 30_000) return session;
  } catch {
    // a damaged entry is the same as none
  }
  return undefined;
}

export function saveSession(session: Session): void {
  localStorage.setItem(KEY, JSON.stringify(session));
  localStorage.removeItem(REASON_KEY);
}

/** Ends the session in this tab and, through the `storage` event, in every other tab. */
export function clearSession(reason?: string): void {
  if (reason) localStorage.setItem(REASON_KEY, reason);
  else localStorage.removeItem(REASON_KEY);
  localStorage.removeItem(KEY);
}

/** Why the last session ended, if it did not end by the person's own "Sign out". */
export function signedOutReason(): string | undefined {
  return localStorage.getItem(REASON_KEY) ?? undefined;
}

/**
 * Calls back when another tab signs in or out. The `storage` event fires only in the other
 * tabs of the browser, which is exactly who must follow.
 */
export function onSessionChange(listener: (session: Session | undefined) => void): () => void {
  const handler = (event: StorageEvent) => {
    if (event.key === KEY || event.key === null) listener(loadSession());
  };
  window.addEventListener('storage', handler);
  return () => window.removeEventListener('storage', handler);
}
