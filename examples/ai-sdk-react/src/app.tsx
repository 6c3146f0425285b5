import { useChat } from '@ai-sdk/react';
import { WebSocketChatTransport, type UIMessage } from 'ai';
import { useMemo, useState } from 'react';

/** `POST /auth/login`: the standalone server's dev login, a token for any name. */
async function devLogin(username: string): Promise<string> {
  const res = await fetch('/auth/login', { method: 'POST', body: JSON.stringify({ username }) });
  if (!res.ok) throw new Error(`login failed: HTTP ${res.status}`);
  return ((await res.json()) as { token: string }).token;
}

/** `POST /auth/ticket`: a single-use ticket, since a browser cannot set a WebSocket's headers. */
async function ticket(token: string): Promise<string> {
  const res = await fetch('/auth/ticket', { method: 'POST', headers: { authorization: `Bearer ${token}` } });
  if (!res.ok) throw new Error(`ticket refused: HTTP ${res.status}`);
  return ((await res.json()) as { ticket: string }).ticket;
}

export function App() {
  const [token, setToken] = useState(() => localStorage.getItem('token') ?? undefined);
  if (!token) {
    return (
      <form
        onSubmit={(event) => {
          event.preventDefault();
          const name = new FormData(event.currentTarget).get('name') as string;
          void devLogin(name).then((t) => {
            localStorage.setItem('token', t);
            setToken(t);
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

/** The chat id is the agentwire thread: kept in the address, so a reload or another tab rejoins it. */
function chatIdFromAddress(): string {
  if (!location.hash) location.hash = crypto.randomUUID();
  return location.hash.slice(1);
}

function Chat({ token }: { token: string }) {
  const [id] = useState(chatIdFromAddress);
  // The one change an AI SDK app makes: its transport points at agentwire.
  // `?agent=<name>` asks another of the server's agents (agentwire reads `body.agent`).
  const transport = useMemo(() => {
    const agent = new URLSearchParams(location.search).get('agent');
    return new WebSocketChatTransport<UIMessage>({
      url: '/ai-sdk/ws',
      params: async () => ({ ticket: await ticket(token) }),
      ...(agent && { body: { agent } }),
    });
  }, [token]);
  // `resume: true` rejoins the answer in flight after a reload (agentwire replays it).
  const { messages, sendMessage, status, stop, error } = useChat({ id, transport, resume: true });
  const [input, setInput] = useState('');

  return (
    <main data-testid="chat" data-status={status}>
      {messages.map((message) => (
        <section key={message.id} data-testid="message" data-role={message.role}>
          <b>{message.role === 'user' ? 'You' : 'Agent'}:</b>
          {message.parts.map((part, i) => {
            if (part.type === 'text') return <p key={i} data-testid={message.role === 'assistant' ? 'answer' : 'question'}>{part.text}</p>;
            if (part.type === 'reasoning') return <p key={i}><i>{part.text}</i></p>;
            if (part.type === 'dynamic-tool' || part.type.startsWith('tool-')) {
              const tool = part as { toolName?: string; type: string; state: string; output?: unknown };
              return <p key={i} data-testid="tool">{tool.toolName ?? tool.type.slice(5)}: {tool.state === 'output-available' ? JSON.stringify(tool.output) : tool.state}</p>;
            }
            return null;
          })}
        </section>
      ))}
      {error && <p role="alert">{error.message}</p>}
      <form
        onSubmit={(event) => {
          event.preventDefault();
          void sendMessage({ text: input });
          setInput('');
        }}
      >
        <input value={input} onChange={(e) => setInput(e.target.value)} placeholder="Ask the agent" data-testid="input" />
        {status === 'streaming' || status === 'submitted' ? (
          <button type="button" onClick={() => void stop()}>
            Stop
          </button>
        ) : (
          <button type="submit">Send</button>
        )}
      </form>
    </main>
  );
}
