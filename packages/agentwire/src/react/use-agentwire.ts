import { useEffect, useMemo, useState } from 'react';
import { connect, type AgentwireClient } from '../client/client.js';
import type { BackoffOptions } from '../client/backoff.js';
import type { ConnectionState, StateChange } from '../client/client-types.js';
import { AgentwireHttp, AgentwireHttpError } from './agentwire-http.js';

export interface AgentwireOptions {
  /** The user's JWT: HTTP routes get it as Bearer, the socket a ticket bought with it. */
  token: string;
  /** Origin of the agentwire server, e.g. `https://chat.example.com`; default the page's own. */
  baseUrl?: string;
  /** The WebSocket endpoint; default `<baseUrl>/ws` with ws:// or wss:// to match. */
  url?: string;
  backoff?: BackoffOptions;
}

/** What `useAgentwire` returns: pass it to `useThreads` and `useThread`. */
export interface Agentwire {
  /** The connection; undefined until the component has mounted (and after it unmounts). */
  client: AgentwireClient | undefined;
  /** The HTTP routes beside the socket, with the same token. */
  api: AgentwireHttp;
  state: ConnectionState;
  /** The last state change (its `error` says why a connection went offline). */
  lastChange: StateChange | undefined;
  /**
   * Set when the server refused the token itself (`POST /auth/ticket` answered 401): the
   * connection is closed, since retrying cannot succeed; the app signs the user in again.
   */
  rejected: AgentwireHttpError | undefined;
}

/**
 * One agentwire connection for the lifetime of the component (docs/react.md). It connects
 * with a single-use ticket per attempt (`POST /auth/ticket`, docs/protocol.md "Connecting"),
 * as browsers must; the client SDK resumes and reconnects by itself. A new token or URL
 * makes a new connection; unmounting closes it.
 */
export function useAgentwire(options: AgentwireOptions): Agentwire {
  const baseUrl = options.baseUrl ?? '';
  const url = options.url ?? socketUrlFor(baseUrl);
  const { token } = options;
  const initialMs = options.backoff?.initialMs;
  const maxMs = options.backoff?.maxMs;
  const api = useMemo(() => new AgentwireHttp({ baseUrl, token }), [baseUrl, token]);
  const [client, setClient] = useState<AgentwireClient>();
  const [lastChange, setLastChange] = useState<StateChange>();
  const [state, setState] = useState<ConnectionState>('connecting');
  const [rejected, setRejected] = useState<AgentwireHttpError>();

  useEffect(() => {
    const backoff: BackoffOptions = {};
    if (initialMs !== undefined) backoff.initialMs = initialMs;
    if (maxMs !== undefined) backoff.maxMs = maxMs;
    setRejected(undefined);
    const getTicket = async (): Promise<string> => {
      try {
        return await api.ticket();
      } catch (error) {
        if (error instanceof AgentwireHttpError && error.status === 401) {
          setRejected(error);
          queueMicrotask(() => created.close());
        }
        throw error;
      }
    };
    const created = connect({ url, getTicket, backoff });
    const off = created.on('state', (change) => {
      setState(change.state);
      setLastChange(change);
    });
    setClient(created);
    setState(created.state);
    return () => {
      off();
      created.close();
      setClient(undefined);
    };
  }, [url, api, initialMs, maxMs]);

  return { client, api, state, lastChange, rejected };
}

/** The `/ws` endpoint of a server (the page's own when `baseUrl` is empty), ws:// or wss:// to match. */
export function socketUrlFor(baseUrl: string): string {
  const socket = new URL('/ws', baseUrl || globalThis.location.href);
  socket.protocol = socket.protocol === 'https:' ? 'wss:' : 'ws:';
  return socket.toString();
}
