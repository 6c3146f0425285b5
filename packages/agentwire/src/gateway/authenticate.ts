import type { IncomingMessage } from 'node:http';
import type { TokenVerifier, VerifiedToken } from '../auth/jwt.js';
import { extractCredential } from '../auth/credentials.js';
import type { TicketStore } from '../bus/types.js';
import { isAgentwireError } from '../errors.js';
import { CloseCode } from '../protocol/close-codes.js';

export type AuthOutcome =
  | { ok: true; userId: string; expiresAtMs: number | undefined }
  | { ok: false; closeCode: number; reason: string; detail: string };

/**
 * Identity of an upgrade request, from its credential only (docs/protocol.md, "Connecting").
 * A token the verifier can check in this turn (`verifySync`: a shared secret or a PEM key) is
 * answered synchronously, without a promise: in a reconnect storm every socket pays for each
 * hop (issue 19). A ticket (the bus) or a JWKS key set may wait on the network.
 */
export function authenticateUpgrade(
  request: IncomingMessage,
  url: URL,
  deps: { verifier: TokenVerifier; tickets: TicketStore; allowQueryToken: boolean },
): AuthOutcome | Promise<AuthOutcome> {
  const credential = extractCredential(request, url, deps.allowQueryToken);
  if (credential.kind === 'none') return refuse(CloseCode.unauthorized, 'unauthorized', credential.reason);
  if (credential.kind === 'ticket') return redeemTicket(credential.ticket, deps.tickets);
  const { verifier } = deps;
  if (verifier.verifySync === undefined) return verifier.verify(credential.token).then(accepted, refused);
  try {
    return accepted(verifier.verifySync(credential.token));
  } catch (error) {
    return refused(error);
  }
}

async function redeemTicket(ticket: string, tickets: TicketStore): Promise<AuthOutcome> {
  const redeemed = ticket.length <= 256 ? await tickets.redeem(ticket) : undefined;
  // The ticket carries its token's expiry, so the 4001 timer ends a ticket socket as it ends a Bearer one.
  return redeemed === undefined
    ? refuse(CloseCode.unauthorized, 'unauthorized', 'unknown, expired or reused ticket')
    : { ok: true, userId: redeemed.userId, expiresAtMs: redeemed.expiresAtMs };
}

function accepted(verified: VerifiedToken): AuthOutcome {
  return { ok: true, userId: verified.userId, expiresAtMs: verified.expiresAtMs };
}

/** A verifier's coded refusal becomes a close code; anything else is a fault, thrown on. */
function refused(error: unknown): AuthOutcome {
  if (isAgentwireError(error, 'AW_ERR_AUTH_EXPIRED')) return refuse(CloseCode.tokenExpired, 'token_expired', 'token expired');
  if (isAgentwireError(error)) return refuse(CloseCode.unauthorized, 'unauthorized', error.message);
  throw error;
}

function refuse(closeCode: number, reason: string, detail: string): AuthOutcome {
  return { ok: false, closeCode, reason, detail };
}
