import { CloseCode } from '../protocol/close-codes.js';
import type { Connection } from './connection.js';

export interface ExpiryTimer {
  cancel(): void;
}

/** Closes the connection (a `/ws` one, or any socket that closes alike) with 4001 when its token expires. */
export function closeAtTokenExpiry(connection: Pick<Connection, 'close'>, expiresAtMs: number): ExpiryTimer {
  let timer: NodeJS.Timeout | undefined;
  // Re-armed until exp: setTimeout overflows past 2^31-1 ms and may fire early by the wall clock.
  const expire = (): void => {
    const left = expiresAtMs - Date.now();
    if (left > 0) {
      timer = setTimeout(expire, Math.min(left, 2_147_483_647));
      timer.unref();
      return;
    }
    connection.close(CloseCode.tokenExpired, 'token_expired');
  };
  expire();
  return { cancel: () => clearTimeout(timer) };
}
