import type { StateChange } from '../../src/client.js';

/**
 * Why the connection's going offline ends the session, in words for the person; undefined
 * when it does not (a network failure keeps retrying; the app's own close is a sign-out).
 * 1008 after sign-in means the server no longer accepts the token (e.g. a new signing key);
 * 4001 that it expired and the page has no way to renew it.
 */
export function sessionEndReason(change: StateChange): string | undefined {
  if (change.state !== 'offline') return undefined;
  switch (change.error?.code) {
    case 'AW_ERR_CLIENT_UNAUTHORIZED':
      return 'The server no longer accepts your session (it was restarted with a new key, or the session was revoked). Sign in again to continue.';
    case 'AW_ERR_CLIENT_TOKEN_EXPIRED':
      return 'Your session expired. Sign in again to continue.';
    case 'AW_ERR_CLIENT_FATAL_CLOSE':
      return `The server closed the connection and asked not to reconnect (${change.error.message}). Sign in again to continue.`;
    default:
      return undefined;
  }
}
