import type { IncomingMessage } from 'node:http';
import { SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { createJwtVerifier, type TokenVerifier } from '../../src/auth/jwt.js';
import type { TicketStore } from '../../src/bus/types.js';
import { authenticateUpgrade, type AuthOutcome } from '../../src/gateway/authenticate.js';
import { CloseCode } from '../../src/protocol/close-codes.js';

const SECRET = 'authenticate-sync-test-secret-0123456789';
const noTickets = {} as TicketStore;
const url = new URL('ws://127.0.0.1/ws');

function bearer(token: string): IncomingMessage {
  return { headers: { authorization: `Bearer ${token}` } } as IncomingMessage;
}

function sign(claims: { sub?: string; exp: number; iat?: number }): Promise<string> {
  const jwt = new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setExpirationTime(claims.exp).setIssuedAt(claims.iat ?? Math.floor(Date.now() / 1000));
  if (claims.sub !== undefined) jwt.setSubject(claims.sub);
  return jwt.sign(new TextEncoder().encode(SECRET));
}

// A reconnect storm pays for every promise hop of every upgrade (issue 19): a token a local
// key can check is answered in the caller's turn, with the same refusals as `verify`.
describe('authenticating an upgrade with a local key', () => {
  const verifier = createJwtVerifier({ secret: SECRET });
  const now = Math.floor(Date.now() / 1000);

  it('answers a Bearer token without a promise, as the asynchronous path does', async () => {
    const cases: Array<[string, AuthOutcome]> = [
      [await sign({ sub: 'u1', exp: now + 600 }), { ok: true, userId: 'u1', expiresAtMs: (now + 600) * 1000 }],
      [await sign({ sub: 'u1', exp: now - 10 }), { ok: false, closeCode: CloseCode.tokenExpired, reason: 'token_expired', detail: 'token expired' }],
      [await sign({ exp: now + 600 }), { ok: false, closeCode: CloseCode.unauthorized, reason: 'unauthorized', detail: expect.stringContaining('the sub claim must be a non-empty string') as string }],
      [await sign({ sub: 'u1', exp: now + 600, iat: now + 3600 }), { ok: false, closeCode: CloseCode.unauthorized, reason: 'unauthorized', detail: expect.stringContaining('the iat claim is in the future') as string }],
    ];
    const asyncOnly: TokenVerifier = { verify: (token) => verifier.verify(token) };
    for (const [token, expected] of cases) {
      const outcome = authenticateUpgrade(bearer(token), url, { verifier, tickets: noTickets, allowQueryToken: false });
      expect(outcome).not.toBeInstanceOf(Promise);
      expect(outcome).toEqual(expected);
      expect(await authenticateUpgrade(bearer(token), url, { verifier: asyncOnly, tickets: noTickets, allowQueryToken: false })).toEqual(expected);
    }
  });

  it('a JWKS key set may need the network: that verifier has no synchronous path', () => {
    expect(createJwtVerifier({ jwksUrl: 'https://issuer.example/.well-known/jwks.json' }).verifySync).toBeUndefined();
    expect(typeof createJwtVerifier({ secret: SECRET }).verifySync).toBe('function');
  });
});
