import { generateKeyPairSync } from 'node:crypto';
import { SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { createJwtVerifier, type TokenVerifier } from '../../src/index.js';
import { isAgentwireError, type ErrorCode } from '../../src/errors.js';

const SECRET = 'security-jwt-secret-0123456789abcdef';
const key = new TextEncoder().encode(SECRET);
const nowS = (): number => Math.floor(Date.now() / 1000);

function token(claims: { exp?: number; iat?: number }): Promise<string> {
  const jwt = new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setSubject('alice');
  if (claims.exp !== undefined) jwt.setExpirationTime(claims.exp);
  if (claims.iat !== undefined) jwt.setIssuedAt(claims.iat);
  return jwt.sign(key);
}

async function outcome(verifier: TokenVerifier, jwt: string): Promise<ErrorCode | 'accepted'> {
  try {
    await verifier.verify(jwt);
    return 'accepted';
  } catch (error) {
    if (isAgentwireError(error)) return error.code;
    throw error;
  }
}

function configOutcome(build: () => unknown): ErrorCode | 'accepted' {
  try {
    build();
    return 'accepted';
  } catch (error) {
    if (isAgentwireError(error)) return error.code;
    throw error;
  }
}

describe('tokens (issue 12, sessions that end)', () => {
  it('finding: tokens without exp are refused by default; requireExp false accepts them', async () => {
    const noExp = await token({ iat: nowS() });
    expect(await outcome(createJwtVerifier({ secret: SECRET }), noExp)).toBe('AW_ERR_AUTH_INVALID');
    expect(await outcome(createJwtVerifier({ secret: SECRET, requireExp: false }), noExp)).toBe('accepted');
    expect(await outcome(createJwtVerifier({ secret: SECRET }), await token({ exp: nowS() + 600 }))).toBe('accepted');
  });

  it('finding: an iat in the future beyond the clock skew is refused', async () => {
    const verifier = createJwtVerifier({ secret: SECRET });
    const exp = nowS() + 7200;
    expect(await outcome(verifier, await token({ exp, iat: nowS() + 3600 }))).toBe('AW_ERR_AUTH_INVALID');
    // Within the default 60 s skew: a clock a little ahead is not an attack.
    expect(await outcome(verifier, await token({ exp, iat: nowS() + 30 }))).toBe('accepted');
    const strict = createJwtVerifier({ secret: SECRET, clockSkewSeconds: 0 });
    expect(await outcome(strict, await token({ exp, iat: nowS() + 30 }))).toBe('AW_ERR_AUTH_INVALID');
  });

  it('finding: a plain http JWKS URL is refused unless its host is loopback', () => {
    for (const jwksUrl of ['http://idp.example/jwks.json', 'http://10.0.0.5/jwks.json', 'http://128.0.0.1/jwks', 'http://localhost.evil.example/jwks']) {
      expect(configOutcome(() => createJwtVerifier({ jwksUrl })), jwksUrl).toBe('AW_ERR_CONFIG');
    }
    for (const jwksUrl of ['https://idp.example/jwks.json', 'http://127.0.0.1:8080/jwks', 'http://127.5.6.7/jwks', 'http://[::1]:9000/jwks', 'http://localhost/jwks']) {
      expect(configOutcome(() => createJwtVerifier({ jwksUrl })), jwksUrl).toBe('accepted');
    }
  });

  it('finding: requireExp applies to public-key tokens too', async () => {
    const pair = generateKeyPairSync('ed25519');
    const verifier = createJwtVerifier({ publicKey: pair.publicKey.export({ type: 'spki', format: 'pem' }).toString() });
    const noExp = await new SignJWT({}).setProtectedHeader({ alg: 'EdDSA' }).setSubject('bob').setIssuedAt().sign(pair.privateKey);
    expect(await outcome(verifier, noExp)).toBe('AW_ERR_AUTH_INVALID');
  });
});
