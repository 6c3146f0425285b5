import { readUIMessageStream, WebSocketChatTransport, type UIMessage } from 'ai';
import WebSocket from 'ws';

// The AI SDK's own WebSocket transport, pointed at agentwire. In a React app the same
// transport goes to useChat({ transport }); the page keeps its UI code.
const base = process.env.AGENTWIRE_URL ?? 'http://127.0.0.1:8080';
const login = await fetch(`${base}/auth/login`, { method: 'POST', body: JSON.stringify({ username: 'ada' }) });
const { token } = (await login.json()) as { token: string };

const transport = new WebSocketChatTransport<UIMessage>({
  url: `${base.replace(/^http/, 'ws')}/ai-sdk/ws`,
  // A browser cannot set headers on a WebSocket: it buys a single-use ticket per connection.
  params: async () => {
    const answer = await fetch(`${base}/auth/ticket`, { method: 'POST', headers: { authorization: `Bearer ${token}` } });
    return { ticket: ((await answer.json()) as { ticket: string }).ticket };
  },
  webSocket: WebSocket as never, // Node only; a browser has its own
});

const chunks = await transport.sendMessages({
  chatId: 'my-first-chat', // the chat id names a thread of this user (created on first use)
  messages: [{ id: 'm1', role: 'user', parts: [{ type: 'text', text: 'What is 17 * 23?' }] }],
  trigger: 'submit-message',
  messageId: undefined,
  abortSignal: undefined,
});
let answer: UIMessage | undefined;
for await (const message of readUIMessageStream<UIMessage>({ stream: chunks })) answer = message;
console.log(answer?.parts.flatMap((p) => (p.type === 'text' ? [p.text] : [])).join('')); // "... 17 * 23 = 391."
transport.close();
