import { useEffect, useRef } from 'react';
import type { ClientToolHandler } from '../client/client-tools.js';
import type { ClientToolSpec } from '../protocol/types.js';
import type { Agentwire } from './use-agentwire.js';

/**
 * Offers a client tool while the component is mounted (protocol 1.2 "Client tools",
 * docs/react.md): the spec goes in `client_tools` of every message sent on this connection,
 * and the agent's calls of it (`tool_executing` with `executor: "client"`) are answered
 * with what `handler` returns (a throw answers an `error`). Which tab runs a call is the
 * client SDK's rule (`registerClientTool`): the tab that sent the message, another one only
 * if that tab is gone. The latest `handler` is used, so it need not be memoised.
 */
export function useClientTool(aw: Agentwire, spec: ClientToolSpec, handler: ClientToolHandler): void {
  const { client } = aw;
  const handlerRef = useRef(handler);
  handlerRef.current = handler;
  // The spec by value: an object literal written in the component is a new object each render.
  const specKey = JSON.stringify(spec);
  useEffect(() => {
    if (!client) return;
    const offered = JSON.parse(specKey) as ClientToolSpec;
    return client.registerClientTool(offered, (args, call) => handlerRef.current(args, call));
  }, [client, specKey]);
}
