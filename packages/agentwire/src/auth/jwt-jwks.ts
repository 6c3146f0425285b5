import { createRemoteJWKSet, errors as joseErrors, jwtVerify } from 'jose';
import { AgentwireError } from '../errors.js';
import type { TokenClaims, VerificationSettings } from './jwt.js';

/**
 * Tokens signed by a key from a JWKS URL, verified by jose: its remote key set fetches the
 * set, caches it, refetches on an unknown `kid` and bounds how often it does.
 */
export function jwksVerifier(url: URL, settings: VerificationSettings): (token: string) => Promise<TokenClaims> {
  const keySet = createRemoteJWKSet(url);
  const options = {
    algorithms: settings.algorithms,
    issuer: settings.issuer,
    audience: settings.audience,
    // jose checks `exp` when present; `requiredClaims` makes its absence a failure too.
    ...(settings.requireExp && { requiredClaims: ['exp'] }),
  };
  return async (token) => {
    try {
      const { payload } = await jwtVerify(token, keySet, options);
      return payload;
    } catch (error) {
      if (error instanceof joseErrors.JWTExpired) throw new AgentwireError('AW_ERR_AUTH_EXPIRED', undefined, { cause: error });
      throw new AgentwireError('AW_ERR_AUTH_INVALID', undefined, { cause: error });
    }
  };
}
