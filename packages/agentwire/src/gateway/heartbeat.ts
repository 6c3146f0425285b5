import type { Logger } from '../logger.js';
import type { ScopeRegistry } from './scope-registry.js';

/** Pings every socket every `everyMs`; one that missed two pings in a row is terminated. */
export function startHeartbeat(scopes: ScopeRegistry, logger: Logger, everyMs: number): NodeJS.Timeout {
  const timer = setInterval(() => beat(scopes, logger), everyMs);
  timer.unref();
  return timer;
}

function beat(scopes: ScopeRegistry, logger: Logger): void {
  for (const scope of scopes.all()) {
    for (const connection of scope.connections) {
      if (connection.missedPongs >= 2) {
        logger.info({ event: 'ws_dead', user: scope.userId, connection: connection.id }, 'heartbeat missed twice');
        connection.socket.terminate();
        continue;
      }
      connection.missedPongs++;
      if (connection.socket.readyState === connection.socket.OPEN) connection.socket.ping();
    }
  }
}
