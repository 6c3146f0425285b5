import { useCallback, useEffect, useState } from 'react';
import { ChatPage } from './chat-page.js';
import { LoginView } from './login-view.js';
import { clearSession, loadSession, onSessionChange, saveSession, signedOutReason, type Session } from './session.js';

/**
 * Sign-in or the chat. One sign-in per browser: another tab signing in or out moves this one
 * along (the `storage` event), and ending the session here ends it in every tab.
 */
export function App() {
  const [session, setSession] = useState<Session | undefined>(loadSession);
  const [reason, setReason] = useState<string | undefined>(signedOutReason);

  useEffect(
    () =>
      onSessionChange((next) => {
        setReason(signedOutReason());
        setSession((current) => (next?.username === current?.username && next?.token === current?.token ? current : next));
      }),
    [],
  );

  const signIn = useCallback((next: Session) => {
    saveSession(next);
    setReason(undefined);
    setSession(next);
  }, []);

  const signOut = useCallback((why?: string) => {
    clearSession(why);
    setReason(why);
    setSession(undefined);
  }, []);

  if (!session) return <LoginView onSignedIn={signIn} endedBecause={reason} />;
  // Keyed by the token: another user (or a new sign-in) gets a fresh page and connection.
  return <ChatPage key={session.token} session={session} onSignOut={signOut} />;
}
