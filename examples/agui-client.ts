import { HttpAgent } from '@ag-ui/client';

// A token from your login, as for /ws; here the standalone server's demo login.
const base = process.env.AGENTWIRE_URL ?? 'http://127.0.0.1:8080';
const login = await fetch(`${base}/auth/login`, { method: 'POST', body: JSON.stringify({ username: 'ada' }) });
const { token } = (await login.json()) as { token: string };

const agent = new HttpAgent({ url: `${base}/agui`, headers: { authorization: `Bearer ${token}` } });
agent.addMessage({ id: '1', role: 'user', content: 'What is 17 * 23?' });
const { newMessages } = await agent.runAgent({ forwardedProps: { agent: 'demo' } });
console.log(newMessages.at(-1)?.content); // "17 * 23 = 391."
