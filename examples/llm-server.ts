import { createServer } from 'node:http';
import { builtinTools, createDevLogin, createGateway, ToolRegistry, type Tool } from 'agentwire';
import { createLlmAgent } from 'agentwire/llm';
import { createHttpHandler } from 'agentwire/server';

const weather: Tool<{ city: string }> = {
  name: 'weather',
  description: 'Current weather in a city',
  parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'], additionalProperties: false },
  execute: async ({ city }) => ({ city, sky: 'clear', celsius: 21 }),
};
const tools = new ToolRegistry(builtinTools()).register(weather);
const llm = createLlmAgent({
  baseURL: process.env.LLM_BASE_URL ?? 'http://localhost:11434/v1', // Ollama; vLLM: http://localhost:8000/v1
  model: process.env.LLM_MODEL ?? 'llama3.1',
  apiKey: process.env.LLM_API_KEY, // local servers usually need none
});

const secret = process.env.AGENTWIRE_JWT_SECRET ?? 'change-me-to-a-secret-of-32-characters-or-more';
const server = createServer();
const gateway = createGateway({ server, auth: { jwt: { secret } }, agents: [llm], tools });
server.on('request', createHttpHandler(gateway, { devLogin: createDevLogin(secret, 60 * 60 * 1000) }));
server.listen(Number(process.env.PORT ?? 3000), '127.0.0.1', () => {
  const address = server.address();
  console.log(`listening on http://127.0.0.1:${typeof address === 'object' && address ? address.port : ''}`);
});
process.on('SIGTERM', () => void gateway.close().then(() => server.close()));
