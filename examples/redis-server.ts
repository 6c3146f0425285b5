import { createServer } from 'node:http';
import { builtinTools, createDemoAgent, createGateway } from 'agentwire';
import { createRedisBus } from 'agentwire/redis';
import { createHttpHandler } from 'agentwire/server';

// Run as many of these as you like with the same REDIS_URL and key, behind any load balancer.
const server = createServer();
const bus = await createRedisBus({ url: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', prefix: process.env.REDIS_PREFIX ?? 'myapp:' });
const gateway = createGateway({
  server,
  bus,
  auth: { jwt: { secret: process.env.AGENTWIRE_JWT_SECRET ?? 'change-me-to-a-secret-of-32-characters-or-more' } },
  agents: [createDemoAgent()],
  tools: builtinTools(), // the demo agent's calculator, clock, notes and notes_forget
});
server.on('request', createHttpHandler(gateway)); // /auth/ticket, /threads, /health, ...
server.listen(Number(process.env.PORT ?? 3000), '127.0.0.1', () => {
  const address = server.address();
  console.log(`listening on http://127.0.0.1:${typeof address === 'object' && address ? address.port : ''}`);
});
process.on('SIGTERM', () => {
  // The gateway does not close a bus it was given: close it after the gateway, then exit.
  void gateway
    .close()
    .then(() => bus.close())
    .then(() => server.close());
});
