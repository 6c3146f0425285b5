import './styles.css';
import { ChatApp } from './chat-app.js';
import { renderLogin } from './login-view.js';
import { clearSession, loadSession, saveSession, type Session } from './session.js';

const app = document.getElementById('app')!;

function showLogin(): void {
  clearSession();
  app.replaceChildren(
    renderLogin((session) => {
      saveSession(session);
      showChat(session);
    }),
  );
}

function showChat(session: Session): void {
  const chat = new ChatApp(session, showLogin);
  app.replaceChildren(chat.root);
}

const session = loadSession();
if (session) showChat(session);
else showLogin();
