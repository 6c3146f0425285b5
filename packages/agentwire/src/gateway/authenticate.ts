import type { IncomingMessage } from 'node:http';
import type { TokenVerifier } from '../auth/jwt.js';
import { extractCredential } from '../auth/credentials.js';
import type { TicketStore } from '../bus/types.js';
import { isAgentwireError } from '../errors.js';
import { CloseCode } from '../protocol/close-codes.js';

export type AuthOutcome =
  | { ok: true; userId: string; expiresAtMs: number | undefined }
  | { ok: false; closeCode: number; reason: string; detail: string };

/** Identity of an upgrade request, from its credential only (docs/protocol.md, "Connecting"). */
export async function authenticateUpgrade(
  request: IncomingMessage,
  url: URL,
  deps: { verifier: TokenVerifier; tickets: TicketStore; allowQueryToken: boolean },
): Promise<AuthOutcome> {
  const credential = extractCredential(request, url, deps.allowQueryToken);
  if (credential.kind === 'none') return refuse(CloseCode.unauthorized, 'unauthorized', credential.reason);
  if (credential.kind === 'ticket') {
    const redeemed = credential.ticket.length <= 256 ? await deps.tickets.redeem(credential.ticket) : undefined;
    // The ticket carries its token's expiry, so the 4001 timer ends a ticket socket as it ends a Bearer one.
    return redeemed === undefined
      ? refuse(CloseCode.unauthorized, 'unauthorized', 'unknown, expired or reused ticket')
      : { ok: true, userId: redeemed.userId, expiresAtMs: redeemed.expiresAtMs };
  }
  try {
    const verified = await deps.verifier.verify(credential.token);
    return { ok: true, userId: verified.userId, expiresAtMs: verified.expiresAtMs };
  } catch (error) {
    if (isAgentwireError(error, 'AW_ERR_AUTH_EXPIRED')) return refuse(CloseCode.tokenExpired, 'token_expired', 'token expired');
    if (isAgentwireError(error)) return refuse(CloseCode.unauthorized, 'unauthorized', error.message);
    throw error;
  }
}

function refuse(closeCode: number, reason: string, detail: string): AuthOutcome {
  return { ok: false, closeCode, reason, detail };
}
