import type { DurableWriter } from '../history/durable-writer.js';
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import type { WebSocket, WebSocketServer } from 'ws';
import { CloseCode } from '../protocol/close-codes.js';
import type { InboundHandler } from './inbound-handler.js';
import type { ResolvedOptions } from './options.js';
import type { AgentRunner } from './runner.js';
import type { ScopeRegistry } from './scope-registry.js';

/** How long shutdown waits for fan-out to reach every socket before closing them with 1001. */
const SHUTDOWN_FLUSH_MS = 2000;

export interface ShutdownParts {
  readonly options: ResolvedOptions;
  readonly server: Server;
  readonly ownsServer: boolean;
  readonly wss: WebSocketServer;
  readonly scopes: ScopeRegistry;
  readonly runner: AgentRunner;
  readonly inbound: InboundHandler;
  readonly heartbeat: NodeJS.Timeout;
  readonly onUpgrade: (request: IncomingMessage, socket: Duplex, head: Buffer) => void;
  stopSubscription(): void;
  /** Store writes still being retried: given a moment to land, then abandoned (logged). */
  readonly writer: DurableWriter;
}

/** How long shutdown lets store writes still being retried (an outage) finish. */
const WRITER_DRAIN_MS = 2000;

/**
 * The graceful shutdown, in order: runs drain (the rest end with `shutdown`), every socket
 * is written its stream up to now, closed with 1001, then the parts the gateway owns close.
 */
export async function shutDown(parts: ShutdownParts): Promise<void> {
  const { options, scopes, runner, server } = parts;
  options.logger.info({ runs: runner.activeCount }, 'gateway shutting down');
  // A message accepted just before close() may still be on its way to starting its run.
  await parts.inbound.idle();
  await runner.shutdown(options.shutdownDrainMs);
  clearInterval(parts.heartbeat);
  parts.stopSubscription();
  await flush(parts, SHUTDOWN_FLUSH_MS);
  const sockets: WebSocket[] = [];
  for (const scope of scopes.all()) {
    for (const connection of scope.connections) {
      sockets.push(connection.socket);
      connection.close(CloseCode.goingAway, 'server going away');
    }
  }
  await Promise.all(sockets.map((s) => closed(s, 2000)));
  server.off('upgrade', parts.onUpgrade);
  scopes.close();
  parts.wss.close();
  await parts.writer.drain(WRITER_DRAIN_MS);
  parts.writer.close();
  if (options.ownsBus) await options.bus.close();
  if (options.ownsStore) await options.store.close();
  if (parts.ownsServer && server.listening) await new Promise<void>((resolve) => server.close(() => resolve()));
}

/** Waits until every socket has been written its user's stream up to now (fan-out may be asynchronous). */
async function flush(parts: ShutdownParts, timeoutMs: number): Promise<void> {
  const { options, scopes } = parts;
  const waits: Promise<void>[] = [];
  for (const scope of scopes.all()) {
    if (scope.connections.size === 0) continue;
    const connections = [...scope.connections];
    waits.push(
      options.bus.log.head(scope.userId).then(
        (head) => Promise.all(connections.map((c) => c.delivered(head.lastSeq, timeoutMs))).then(() => undefined),
        (error: unknown) => options.logger.warn({ err: error, user: scope.userId }, 'shutdown flush skipped'),
      ),
    );
  }
  await Promise.all(waits);
}

function closed(ws: WebSocket, timeoutMs: number): Promise<void> {
  if (ws.readyState === ws.CLOSED) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      ws.terminate();
      resolve();
    }, timeoutMs);
    ws.once('close', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}
