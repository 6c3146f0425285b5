import type { ConnectionState } from '../../src/client.js';

const LABELS: Record<ConnectionState, string> = {
  connecting: 'Connecting…',
  connected: 'Live',
  reconnecting: 'Reconnecting…',
  offline: 'Offline',
};

/** The connection pill in the header; `data-state` is what the browser tests read. */
export function StatusPill({ state, detail }: { state: ConnectionState; detail: string | undefined }) {
  return (
    <div className={`status status--${state}`} data-testid="connection-state" data-state={state} title={detail ?? LABELS[state]} role="status">
      <span className="status__dot" />
      {LABELS[state]}
    </div>
  );
}
