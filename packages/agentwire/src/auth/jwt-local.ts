import { createPublicKey } from 'node:crypto';
import { createVerifier, TokenError, type Algorithm } from 'fast-jwt';
import { AgentwireError } from '../errors.js';
import type { TokenClaims, VerificationSettings } from './jwt.js';

export type LocalKey = { readonly kind: 'secret'; readonly secret: string } | { readonly kind: 'public-key'; readonly pem: string };

/** Verified tokens remembered per verifier (fast-jwt's LRU; an entry never outlives its `exp`). */
const VERIFIED_TOKEN_CACHE_SIZE = 10_000;
const HMAC: ReadonlySet<string> = new Set(['HS256', 'HS384', 'HS512']);

/**
 * Tokens signed with a key this process holds (a shared secret or a PEM public key), verified
 * synchronously by fast-jwt. jose's WebCrypto HMAC was most of the cost of accepting a socket
 * (docs/benchmarks.md, "Connection accept rate"); fast-jwt verifies with node:crypto in the same turn and
 * remembers tokens it verified, so a reconnecting tab costs one hash lookup.
 *
 * The algorithm list is fixed by the key kind, never by the token: a secret accepts only HMAC
 * algorithms, a public key only asymmetric ones, so an HS256 token "signed" with the public
 * key's text, or an `alg: none` token, fails (test/unit/jwt.test.ts).
 */
export function localKeyVerifier(key: LocalKey, settings: VerificationSettings): (token: string) => TokenClaims {
  const algorithms = settings.algorithms.filter((alg) => (key.kind === 'secret') === HMAC.has(alg));
  if (algorithms.length === 0) {
    throw new AgentwireError('AW_ERR_CONFIG', `jwt.algorithms has none that a ${key.kind === 'secret' ? 'shared secret' : 'public key'} can verify`);
  }
  const verify = createVerifier({
    key: key.kind === 'secret' ? key.secret : publicKeyPem(key.pem),
    algorithms: algorithms as Algorithm[],
    ...(settings.issuer !== undefined && { allowedIss: settings.issuer }),
    ...(settings.audience !== undefined && { allowedAud: settings.audience }),
    ...(settings.requireExp && { requiredClaims: ['exp'] }),
    cache: VERIFIED_TOKEN_CACHE_SIZE,
  });
  return (token) => {
    try {
      return verify(token) as TokenClaims;
    } catch (error) {
      if (error instanceof TokenError && error.code === TokenError.codes.expired) {
        throw new AgentwireError('AW_ERR_AUTH_EXPIRED', undefined, { cause: error });
      }
      throw new AgentwireError('AW_ERR_AUTH_INVALID', undefined, { cause: error });
    }
  };
}

/** The key re-exported as SPKI PEM, so a malformed key fails at start with a coded error. */
function publicKeyPem(pem: string): string {
  try {
    return createPublicKey(pem).export({ type: 'spki', format: 'pem' }).toString();
  } catch (cause) {
    throw new AgentwireError('AW_ERR_CONFIG', 'jwt.publicKey is not a PEM public key', { cause });
  }
}
