import type { Server } from 'node:http';
import type { ResolvedOptions } from './options.js';

/**
 * One line when the gateway's server starts listening (or at once if it already is), so a
 * library user sees where sockets go without configuring a logger (README, "Using the
 * library"): through the given logger, else on stdout unless the gateway was told `quiet`.
 */
export function announceListening(server: Server, options: Pick<ResolvedOptions, 'announce' | 'logger' | 'path'>): void {
  if (options.announce === 'none') return;
  const announce = (): void => {
    const address = server.address();
    if (address === null || typeof address === 'string') return;
    const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
    const url = `ws://${host}:${address.port}${options.path}`;
    if (options.announce === 'logger') options.logger.info({ url }, 'agentwire gateway listening');
    else console.log(`agentwire: gateway listening on ${url}`);
  };
  if (server.listening) announce();
  else server.once('listening', announce);
}
