import { ApiError, login } from './api.js';
import { h } from './dom.js';
import type { Session } from './session.js';

/** The sign-in card: a name is all the demo login asks for. */
export function renderLogin(onSignedIn: (session: Session) => void, endedBecause?: string): HTMLElement {
  const input = h('input', {
    class: 'field',
    name: 'username',
    autocomplete: 'username',
    placeholder: 'Your name',
    maxlength: 64,
    required: true,
    'data-testid': 'login-name',
  });
  const error = h('p', { class: 'form-error', role: 'alert', 'data-testid': 'login-error', hidden: true });
  const button = h('button', { class: 'button', type: 'submit', 'data-testid': 'login-submit' }, 'Continue');
  const form = h(
    'form',
    { class: 'login', 'data-testid': 'login-form' },
    h('div', { class: 'brand brand--large' }, h('span', { class: 'brand__dot' }), 'agentwire'),
    h('h1', { class: 'login__title' }, 'Watch your agent work, live.'),
    h('p', { class: 'login__lead' }, 'Sign in with any name to start a conversation. Each name has its own private threads.'),
    endedBecause !== undefined && h('p', { class: 'login__notice', role: 'status', 'data-testid': 'signed-out-reason' }, endedBecause),
    h('label', { class: 'label', for: 'username' }, 'Name'),
    input,
    error,
    button,
  );
  input.id = 'username';
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    button.disabled = true;
    error.hidden = true;
    const username = input.value.trim();
    login(username)
      .then((res) => onSignedIn({ username, token: res.token, expiresAt: res.expires_at }))
      .catch((e: unknown) => {
        error.textContent = e instanceof ApiError ? e.message : 'Sign-in failed.';
        error.hidden = false;
        button.disabled = false;
      });
  });
  queueMicrotask(() => input.focus());
  return h('main', { class: 'login-page' }, form);
}
