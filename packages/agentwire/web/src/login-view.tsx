import { useEffect, useRef, useState, type SyntheticEvent } from 'react';
import { AgentwireHttp, AgentwireHttpError } from '../../src/react.js';
import type { Session } from './session.js';

/** The sign-in card: a name is all the demo login asks for. */
export function LoginView({ onSignedIn, endedBecause }: { onSignedIn(session: Session): void; endedBecause: string | undefined }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const input = useRef<HTMLInputElement>(null);
  useEffect(() => input.current?.focus(), []);

  const submit = (event: SyntheticEvent<HTMLFormElement>) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    const username = input.current?.value.trim() ?? '';
    AgentwireHttp.devLogin('', username)
      .then((res) => onSignedIn({ username, token: res.token, expiresAt: res.expires_at }))
      .catch((e: unknown) => {
        setError(e instanceof AgentwireHttpError ? e.message : 'Sign-in failed.');
        setBusy(false);
      });
  };

  return (
    <main className="login-page">
      <form className="login" data-testid="login-form" onSubmit={submit}>
        <div className="brand brand--large">
          <span className="brand__dot" />
          agentwire
        </div>
        <h1 className="login__title">Watch your agent work, live.</h1>
        <p className="login__lead">Sign in with any name to start a conversation. Each name has its own private threads.</p>
        {endedBecause !== undefined && (
          <p className="login__notice" role="status" data-testid="signed-out-reason">
            {endedBecause}
          </p>
        )}
        <label className="label" htmlFor="username">
          Name
        </label>
        <input ref={input} id="username" className="field" name="username" autoComplete="username" placeholder="Your name" maxLength={64} required data-testid="login-name" />
        <p className="form-error" role="alert" data-testid="login-error" hidden={error === undefined}>
          {error}
        </p>
        <button className="button" type="submit" data-testid="login-submit" disabled={busy}>
          Continue
        </button>
      </form>
    </main>
  );
}
