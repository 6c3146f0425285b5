import { createPublicKey, type KeyObject } from 'node:crypto';
import { isIPv4 } from 'node:net';
import { createRemoteJWKSet, errors as joseErrors, jwtVerify, type JWTVerifyGetKey } from 'jose';
import { AgentwireError } from '../errors.js';

export interface JwtOptions {
  /** Shared secret for HS256 (`AGENTWIRE_JWT_SECRET`). */
  secret?: string;
  /** PEM public key (SPKI) for RS256 / ES256 / EdDSA (`AGENTWIRE_JWT_PUBLIC_KEY`). */
  publicKey?: string;
  /** JWKS URL for RS256 / ES256 / EdDSA (`AGENTWIRE_JWKS_URL`). */
  jwksUrl?: string;
  /** Accepted algorithms; defaults follow the key kind. */
  algorithms?: string[];
  issuer?: string;
  audience?: string;
  /**
   * Refuse tokens without `exp` (default true): a token that never expires keeps its
   * sockets alive forever and cannot be retired by waiting it out. Set false only for
   * issuers that cannot set `exp` and when sessions are ended by other means.
   */
  requireExp?: boolean;
  /**
   * How far in the future an `iat` may lie, in seconds (default 60): the clock skew between
   * the issuer and this server. A later `iat` means a forged or mis-clocked token.
   */
  clockSkewSeconds?: number;
}

export interface VerifiedToken {
  /** The `sub` claim: the only source of a connection's user id. */
  readonly userId: string;
  /** `exp` in ms since the epoch, when the token has one. */
  readonly expiresAtMs: number | undefined;
  /**
   * The token's `scope` claim (RFC 8693: space-separated) or `scp` array; empty without one.
   * A producer token carries `agentwire:producer` (docs/producers.md); a user's token does not.
   */
  readonly scopes: readonly string[];
}

export interface TokenVerifier {
  /** Throws `AW_ERR_AUTH_EXPIRED` or `AW_ERR_AUTH_INVALID`. */
  verify(token: string): Promise<VerifiedToken>;
}

const ASYMMETRIC: readonly string[] = Object.freeze(['RS256', 'ES256', 'EdDSA']);
const MAX_TOKEN_LENGTH = 8192;
const DEFAULT_CLOCK_SKEW_SECONDS = 60;

export function createJwtVerifier(options: JwtOptions): TokenVerifier {
  const configured = [options.secret, options.publicKey, options.jwksUrl].filter((v) => v !== undefined && v !== '');
  if (configured.length !== 1) {
    throw new AgentwireError('AW_ERR_CONFIG', 'configure exactly one of jwt.secret, jwt.publicKey, jwt.jwksUrl');
  }
  let key: Uint8Array | KeyObject | JWTVerifyGetKey;
  let algorithms: string[];
  if (options.secret) {
    if (options.secret.length < 32) throw new AgentwireError('AW_ERR_CONFIG', 'jwt.secret must be at least 32 characters');
    key = hmacKeyResolver(new TextEncoder().encode(options.secret));
    algorithms = options.algorithms ?? ['HS256'];
  } else if (options.publicKey) {
    try {
      key = createPublicKey(options.publicKey);
    } catch (cause) {
      throw new AgentwireError('AW_ERR_CONFIG', 'jwt.publicKey is not a PEM public key', { cause });
    }
    algorithms = options.algorithms ?? [...ASYMMETRIC];
  } else {
    const url = URL.canParse(options.jwksUrl!) ? new URL(options.jwksUrl!) : undefined;
    if (url?.protocol !== 'https:' && url?.protocol !== 'http:') throw new AgentwireError('AW_ERR_CONFIG', 'jwt.jwksUrl must be an http(s) URL');
    // Over plain http anyone on the path can swap the key set and sign tokens for any user;
    // only a key server on this machine is out of their reach.
    if (url.protocol === 'http:' && !isLoopbackHost(url.hostname)) {
      throw new AgentwireError('AW_ERR_CONFIG', 'jwt.jwksUrl must be https unless its host is loopback (127.0.0.0/8, ::1, localhost)');
    }
    key = createRemoteJWKSet(url);
    algorithms = options.algorithms ?? [...ASYMMETRIC];
  }
  const requireExp = options.requireExp ?? true;
  const skewSeconds = options.clockSkewSeconds ?? DEFAULT_CLOCK_SKEW_SECONDS;
  if (!Number.isFinite(skewSeconds) || skewSeconds < 0) throw new AgentwireError('AW_ERR_CONFIG', 'jwt.clockSkewSeconds must be a number >= 0');
  const verifyOptions = {
    algorithms,
    issuer: options.issuer,
    audience: options.audience,
    // jose checks `exp` when present; `requiredClaims` makes its absence a failure too.
    ...(requireExp && { requiredClaims: ['exp'] }),
  };

  return {
    async verify(token) {
      if (token.length === 0 || token.length > MAX_TOKEN_LENGTH) throw new AgentwireError('AW_ERR_AUTH_INVALID', 'bad token length');
      try {
        const { payload } = await jwtVerify(token, key as unknown as Uint8Array, verifyOptions);
        if (typeof payload.sub !== 'string' || payload.sub.length === 0 || payload.sub.length > 256) {
          throw new AgentwireError('AW_ERR_AUTH_INVALID', 'the sub claim must be a non-empty string');
        }
        // jose checks a future `iat` only together with maxTokenAge, so it is checked here.
        if (typeof payload.iat === 'number' && payload.iat > Date.now() / 1000 + skewSeconds) {
          throw new AgentwireError('AW_ERR_AUTH_INVALID', 'the iat claim is in the future');
        }
        return { userId: payload.sub, expiresAtMs: typeof payload.exp === 'number' ? payload.exp * 1000 : undefined, scopes: scopesOf(payload) };
      } catch (error) {
        if (error instanceof AgentwireError) throw error;
        if (error instanceof joseErrors.JWTExpired) throw new AgentwireError('AW_ERR_AUTH_EXPIRED', undefined, { cause: error });
        throw new AgentwireError('AW_ERR_AUTH_INVALID', undefined, { cause: error });
      }
    },
  };
}

function scopesOf(payload: Record<string, unknown>): string[] {
  if (typeof payload.scope === 'string') return payload.scope.split(' ').filter(Boolean);
  if (Array.isArray(payload.scp)) return payload.scp.filter((s): s is string => typeof s === 'string');
  return [];
}

/** 127.0.0.0/8, ::1 and localhost: hosts whose traffic never leaves the machine. */
function isLoopbackHost(hostname: string): boolean {
  if (hostname === 'localhost' || hostname === '[::1]') return true;
  return isIPv4(hostname) && hostname.startsWith('127.');
}

const HMAC_HASHES: Readonly<Record<string, string>> = Object.freeze({ HS256: 'SHA-256', HS384: 'SHA-384', HS512: 'SHA-512' });

/**
 * Hands jose an HMAC key imported once per algorithm: given the raw secret, jose imports
 * it into WebCrypto on every verification, which was most of the cost of accepting a socket.
 * Other algorithms get the raw secret, which jose refuses with its own error.
 */
function hmacKeyResolver(secret: Uint8Array<ArrayBuffer>): JWTVerifyGetKey {
  const imported = new Map<string, Promise<CryptoKey>>();
  return (header) => {
    const alg = header.alg ?? '';
    const hash = HMAC_HASHES[alg];
    if (hash === undefined) return secret;
    let key = imported.get(alg);
    if (!key) {
      key = crypto.subtle.importKey('raw', secret, { name: 'HMAC', hash }, false, ['verify']);
      imported.set(alg, key);
    }
    return key;
  };
}
