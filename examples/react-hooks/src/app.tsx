import { useState } from 'react';
import type { AssistantMessage } from 'agentwire';
import { AgentwireHttp, turnsOf, useAgentwire, useThread, useThreads } from 'agentwire/react';

/** Signs in with the standalone server's dev login (`POST /auth/login`), then chats. */
export function App() {
  const [token, setToken] = useState(() => localStorage.getItem('token') ?? undefined);
  if (!token) {
    return (
      <form
        onSubmit={(event) => {
          event.preventDefault();
          const name = new FormData(event.currentTarget).get('name') as string;
          void AgentwireHttp.devLogin('', name).then((login) => {
            localStorage.setItem('token', login.token);
            setToken(login.token);
          });
        }}
      >
        <input name="name" placeholder="Your name" data-testid="name" required />
        <button type="submit">Sign in</button>
      </form>
    );
  }
  return <Chat token={token} />;
}

function Chat({ token }: { token: string }) {
  const aw = useAgentwire({ token });
  const { threads } = useThreads(aw);
  // The open thread lives in the address, so a reload or a second tab shows the same one.
  const [threadId, setThreadId] = useState(() => location.hash.slice(1) || undefined);
  const thread = useThread(aw, threadId);
  const open = (id: string) => {
    location.hash = id;
    setThreadId(id);
  };

  const ask = async (text: string) => {
    const accepted = await thread.send(text);
    if (!threadId) open(accepted.thread_id);
  };

  return (
    <main>
      <p data-testid="state">{aw.state}</p>
      <ul>
        {threads.map((t) => (
          <li key={t.thread_id}>
            <button onClick={() => open(t.thread_id)}>{t.title || 'Untitled'}</button>
          </li>
        ))}
      </ul>
      {turnsOf(thread.messages).map((turn) => (
        <section key={turn.runId} data-testid="turn" data-status={turn.assistant?.status ?? 'running'}>
          <p>
            <b>You:</b> {turn.user?.text}
          </p>
          {turn.assistant && <Answer message={turn.assistant} />}
        </section>
      ))}
      <form
        onSubmit={(event) => {
          event.preventDefault();
          const input = event.currentTarget.elements.namedItem('text') as HTMLInputElement;
          void ask(input.value);
          input.value = '';
        }}
      >
        <input name="text" placeholder="Ask the agent" data-testid="input" />
        {thread.runningRunIds.length > 0 ? (
          <button type="button" onClick={() => void thread.stop()}>
            Stop
          </button>
        ) : (
          <button type="submit">Send</button>
        )}
      </form>
    </main>
  );
}

/** The run's parts as they stream: thinking, tool calls with their results, the answer. */
function Answer({ message }: { message: AssistantMessage }) {
  return (
    <div>
      {message.parts.map((part, i) =>
        part.type === 'tool_call' ? (
          <p key={i} data-testid="tool">
            {part.tool_name}({JSON.stringify(part.args)}) → {part.duration_ms === undefined ? '…' : JSON.stringify(part.result ?? part.error)}
          </p>
        ) : part.type === 'thinking' ? (
          <p key={i}>
            <i>{part.text}</i>
          </p>
        ) : null,
      )}
      <p data-testid="answer">{message.text}</p>
      <small>{message.status}</small>
    </div>
  );
}
