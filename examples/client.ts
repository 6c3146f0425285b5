import { connect } from 'agentwire/client';

// The server of examples/library-server.ts; its demo login gives a token for any name.
const base = process.env.AGENTWIRE_URL ?? 'http://127.0.0.1:3000';
const login = await fetch(`${base}/auth/login`, { method: 'POST', body: JSON.stringify({ username: 'ada' }) });
const { token } = (await login.json()) as { token: string };

const client = connect({ url: `${base.replace(/^http/, 'ws')}/ws`, token }); // browsers: { getTicket } with POST /auth/ticket
client.on('state', (s) => console.log(s.state)); // connected | reconnecting | offline (it starts as connecting)
client.on('resume_gap', () => console.log('history was lost: refetch the thread over HTTP'));
const run = client.run(process.env.QUESTION ?? 'hello there');
for await (const event of run) console.log(event.type);
console.log((await run.result).text); // the shout agent: "HELLO THERE "
client.close();
