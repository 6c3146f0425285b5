import type { AgentwireClient, ConnectionState, StateChange } from '../../src/client.js';
import type { StreamEvent } from '../../src/protocol/types.js';
import type { TestServer } from '../helpers/server.js';


/** Kills the user's server-side sockets without a close handshake, like a network cut. */
export function dropSockets(server: TestServer, userId: string): number {
  const connections = [...server.gateway.scopeFor({ userId }).connections];
  for (const connection of connections) connection.socket.terminate();
  return connections.length;
}

/** Resolves on the first state change matching `test`; fails after `timeoutMs` with the states seen. */
export function waitForState(
  client: AgentwireClient,
  state: ConnectionState,
  timeoutMs = 5000,
): Promise<StateChange> {
  const seen: string[] = [client.state];
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error(`state ${state} not reached in ${timeoutMs} ms; saw ${seen.join(' → ')}`));
    }, timeoutMs);
    const off = client.on('state', (change) => {
      seen.push(change.state);
      if (change.state !== state) return;
      clearTimeout(timer);
      off();
      resolve(change);
    });
  });
}


/** The user's retained stream on the server: the truth a client must reproduce. */
export async function serverStream(server: TestServer, userId: string): Promise<StreamEvent[]> {
  const read = await server.bus.log.readAfter(userId, 0);
  return read.events.map((e) => e.event);
}

/** Joins a run's deltas in seq order, as a UI would render them. */
export function answerOf(events: readonly StreamEvent[], runId: string): string {
  return events
    .filter((e): e is StreamEvent<'agent_message_delta'> => e.type === 'agent_message_delta' && e.run_id === runId)
    .map((e) => e.data.delta)
    .join('');
}
