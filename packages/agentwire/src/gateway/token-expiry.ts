import { CloseCode } from '../protocol/close-codes.js';
import type { Connection } from './connection.js';

export interface ExpiryTimer {
  cancel(): void;
}

/**
 * What the 4001 timer needs of a socket: its token's `exp` and the one timer pending for it.
 * Kept as two fields of the socket's own object, so that an idle connection holds one
 * timer and no closures for its expiry (issue 19, "Idle memory").
 */
export interface ExpiringSocket {
  tokenExpiresAtMs: number;
  expiryTimer: NodeJS.Timeout | undefined;
  close(code: number, reason: string): void;
}

/** (Re-)arms the 4001 close of `socket` at `expiresAtMs`; a pending timer is dropped. */
export function armTokenExpiry(socket: ExpiringSocket, expiresAtMs: number): void {
  clearTimeout(socket.expiryTimer);
  socket.tokenExpiresAtMs = expiresAtMs;
  checkExpiry(socket);
}

export function cancelTokenExpiry(socket: ExpiringSocket): void {
  clearTimeout(socket.expiryTimer);
  socket.expiryTimer = undefined;
}

// Re-armed until exp: setTimeout overflows past 2^31-1 ms and may fire early by the wall clock.
// A module function given the socket as the timer's argument: no closure per socket.
function checkExpiry(socket: ExpiringSocket): void {
  const left = socket.tokenExpiresAtMs - Date.now();
  if (left > 0) {
    socket.expiryTimer = setTimeout(checkExpiry, Math.min(left, 2_147_483_647), socket);
    socket.expiryTimer.unref();
    return;
  }
  socket.expiryTimer = undefined;
  socket.close(CloseCode.tokenExpired, 'token_expired');
}

/** Closes any socket that closes alike (the AI SDK endpoint's) with 4001 when its token expires. */
export function closeAtTokenExpiry(connection: Pick<Connection, 'close'>, expiresAtMs: number): ExpiryTimer {
  const socket: ExpiringSocket = { tokenExpiresAtMs: expiresAtMs, expiryTimer: undefined, close: (code, reason) => connection.close(code, reason) };
  armTokenExpiry(socket, expiresAtMs);
  return { cancel: () => cancelTokenExpiry(socket) };
}
