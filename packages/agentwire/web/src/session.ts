/** The signed-in user, kept per tab so a reload stays signed in. */
export interface Session {
  username: string;
  token: string;
  expiresAt: string;
}

const KEY = 'agentwire.session';

export function loadSession(): Session | undefined {
  try {
    const session = JSON.parse(sessionStorage.getItem(KEY) ?? 'null') as Session | null;
    if (session && Date.parse(session.expiresAt) > Date.now() + 30_000) return session;
  } catch {
    // a damaged entry is the same as none
  }
  return undefined;
}

export function saveSession(session: Session): void {
  sessionStorage.setItem(KEY, JSON.stringify(session));
}

export function clearSession(): void {
  sessionStorage.removeItem(KEY);
}
