import type { TokenVerifier } from '../auth/jwt.js';
import { isAgentwireError } from '../errors.js';

/**
 * What a `refresh` frame (protocol 1.1, docs/protocol.md) does to its connection:
 * - `ok`: answer `refreshed` and re-arm the 4001 timer at `expiresAtMs` (undefined only when
 *   the verifier is configured with `requireExp: false` and the token has no `exp`);
 * - `unauthorized`: answer `error` code `unauthorized`; the connection keeps its old expiry,
 *   so a bad refresh can never extend a session;
 * - `other_user`: close 1008. A socket's user never changes: a token of someone else on it
 *   is a stolen-socket or confused-client case, and the socket is not trusted further.
 */
export type RefreshOutcome =
  | { readonly outcome: 'ok'; readonly expiresAtMs: number | undefined }
  | { readonly outcome: 'unauthorized'; readonly message: string }
  | { readonly outcome: 'other_user' };

/** Verifies a refresh token for the connection of `userId`, with the same verifier as the upgrade. */
export async function verifyRefresh(userId: string, token: string, verifier: TokenVerifier): Promise<RefreshOutcome> {
  let verified;
  try {
    verified = await verifier.verify(token);
  } catch (error) {
    if (isAgentwireError(error, 'AW_ERR_AUTH_EXPIRED')) return { outcome: 'unauthorized', message: 'the refresh token is expired' };
    // The coded message says what was wrong (signature, claims) and never echoes the token.
    if (isAgentwireError(error)) return { outcome: 'unauthorized', message: error.message };
    throw error;
  }
  if (verified.userId !== userId) return { outcome: 'other_user' };
  return { outcome: 'ok', expiresAtMs: verified.expiresAtMs };
}
