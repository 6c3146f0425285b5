import { AgentwireError } from '../errors.js';

/** The part of the WebSocket API the client uses; browsers' WebSocket and `ws` both fit. */
export interface SocketLike {
  readonly readyState: number;
  readonly protocol: string;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: ((event: unknown) => void) | null;
  onmessage: ((event: { data: unknown }) => void) | null;
  onclose: ((event: { code: number; reason: string }) => void) | null;
  onerror: ((event: unknown) => void) | null;
}

/** `WebSocket.OPEN` in every implementation. */
export const SOCKET_OPEN = 1;

export interface SocketRequest {
  url: string;
  protocols: string[];
  /** Only honoured where the implementation can send headers (`ws` in Node). */
  headers: Record<string, string>;
}

export interface SocketFactory {
  /** False for browsers' WebSocket: credentials must then travel in the URL or subprotocol. */
  readonly supportsHeaders: boolean;
  open(request: SocketRequest): SocketLike;
}

type BrowserSocketCtor = new (url: string, protocols?: string[]) => SocketLike;
type WsSocketCtor = new (url: string, protocols: string[], options: { headers: Record<string, string> }) => SocketLike;

/**
 * The global WebSocket where there is one (browsers, Node >= 22), else the `ws` package,
 * loaded lazily by a specifier bundlers do not follow, so browser builds never include it.
 */
export async function defaultSocketFactory(): Promise<SocketFactory> {
  const global = (globalThis as { WebSocket?: BrowserSocketCtor }).WebSocket;
  if (global) return { supportsHeaders: false, open: (r) => new global(r.url, r.protocols) };
  const specifier = 'ws';
  let ws: { default?: WsSocketCtor; WebSocket?: WsSocketCtor };
  try {
    ws = (await import(/* @vite-ignore */ specifier)) as typeof ws;
  } catch (error) {
    throw new AgentwireError('AW_ERR_CLIENT_NO_WEBSOCKET', undefined, { cause: error });
  }
  const Ctor = ws.WebSocket ?? ws.default;
  if (!Ctor) throw new AgentwireError('AW_ERR_CLIENT_NO_WEBSOCKET', 'the ws module has no WebSocket export');
  return { supportsHeaders: true, open: (r) => new Ctor(r.url, r.protocols, { headers: r.headers }) };
}
