import type { ConnectionState } from '../../src/client.js';
import { h } from './dom.js';

const LABELS: Record<ConnectionState, string> = {
  connecting: 'Connecting…',
  connected: 'Live',
  reconnecting: 'Reconnecting…',
  offline: 'Offline',
};

/** The connection pill in the header; `data-state` is what the browser tests read. */
export function renderStatus(state: ConnectionState, detail?: string): HTMLElement {
  return h(
    'div',
    { class: `status status--${state}`, 'data-testid': 'connection-state', 'data-state': state, title: detail ?? LABELS[state], role: 'status' },
    h('span', { class: 'status__dot' }),
    LABELS[state],
  );
}
