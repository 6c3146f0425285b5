import { createServer } from 'node:http';
import { createDevLogin, createGateway, type Agent } from 'agentwire';
import { createHttpHandler, createMetricsRegistry } from 'agentwire/server';

const shout: Agent = {
  name: 'shout',
  async run(input, { notifier, signal }) {
    await notifier.thinking('Turning the volume up…');
    for (const word of input.text.split(/\s+/)) {
      signal.throwIfAborted(); // stop_agent, timeouts and shutdown abort the signal
      await notifier.delta(`${word.toUpperCase()} `);
    }
  }, // returning completes the run: agent_completed carries every delta joined
};

// The key your login signs tokens with (HS256, 32+ characters); `sub` is the user id.
const secret = process.env.AGENTWIRE_JWT_SECRET ?? 'change-me-to-a-secret-of-32-characters-or-more';
const server = createServer();
const gateway = createGateway({ server, auth: { jwt: { secret } }, agents: [shout] });
server.on(
  'request',
  createHttpHandler(gateway, {
    // POST /auth/login {"username"} → {token}: a demo login for any name. In production your
    // own login issues the JWT (signed with `secret`, `sub` = user id, with an `exp`).
    devLogin: createDevLogin(secret, 60 * 60 * 1000),
    metrics: createMetricsRegistry(gateway), // GET /metrics only when a registry is given
  }), // also /auth/ticket, /threads, /health, /agents, /agui
);
server.listen(Number(process.env.PORT ?? 3000), '127.0.0.1', () => {
  const address = server.address();
  console.log(`listening on http://127.0.0.1:${typeof address === 'object' && address ? address.port : ''}`);
});
// On SIGTERM: runs get a moment to finish, sockets close with 1001, then the process exits.
process.on('SIGTERM', () => void gateway.close().then(() => server.close()));
