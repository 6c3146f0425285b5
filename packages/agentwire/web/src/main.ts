import './styles.css';
import { ChatApp } from './chat-app.js';
import { renderLogin } from './login-view.js';
import { clearSession, loadSession, onSessionChange, saveSession, signedOutReason, type Session } from './session.js';

const app = document.getElementById('app')!;
let chat: ChatApp | undefined;
let signedInAs: string | undefined;

function showLogin(): void {
  chat?.dispose();
  chat = undefined;
  signedInAs = undefined;
  app.replaceChildren(
    renderLogin((session) => {
      saveSession(session);
      showChat(session);
    }, signedOutReason()),
  );
}

function showChat(session: Session): void {
  chat?.dispose();
  signedInAs = session.username;
  chat = new ChatApp(session, (reason) => {
    // Clearing the stored session signs out the other tabs too (they get a storage event).
    clearSession(reason);
    showLogin();
  });
  app.replaceChildren(chat.root);
}

// One sign-in per browser: another tab signing in or out moves this one along.
onSessionChange((session) => {
  if (!session) {
    if (chat) showLogin();
  } else if (session.username !== signedInAs) showChat(session);
});

const session = loadSession();
if (session) showChat(session);
else showLogin();
