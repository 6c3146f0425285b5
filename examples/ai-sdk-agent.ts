import { createServer } from 'node:http';
import { createOpenAICompatible } from '@ai-sdk/openai-compatible';
import { streamText } from 'ai';
import { createDevLogin, createGateway } from 'agentwire';
import { createAiSdkAgent } from 'agentwire/ai-sdk';
import { createHttpHandler } from 'agentwire/server';

const provider = createOpenAICompatible({ name: 'local', baseURL: process.env.LLM_BASE_URL ?? 'http://localhost:11434/v1' });
const assistant = createAiSdkAgent({
  name: 'assistant',
  // messages: the thread's earlier turns and the user's message; stop_agent aborts `signal`
  stream: ({ messages, signal }) => streamText({ model: provider(process.env.LLM_MODEL ?? 'llama3.1'), messages, abortSignal: signal }),
});

const secret = process.env.AGENTWIRE_JWT_SECRET ?? 'change-me-to-a-secret-of-32-characters-or-more';
const server = createServer();
const gateway = createGateway({ server, auth: { jwt: { secret } }, agents: [assistant] });
server.on('request', createHttpHandler(gateway, { devLogin: createDevLogin(secret, 60 * 60 * 1000) }));
server.listen(Number(process.env.PORT ?? 3000), '127.0.0.1', () => console.log(`listening on http://127.0.0.1:${(server.address() as { port: number }).port}`));
process.on('SIGTERM', () => void gateway.close().then(() => server.close()));
