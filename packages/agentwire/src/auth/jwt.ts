import { isIPv4 } from 'node:net';
import { AgentwireError } from '../errors.js';
import { jwksVerifier } from './jwt-jwks.js';
import { localKeyVerifier } from './jwt-local.js';

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
  /**
   * The same check in the caller's turn, when it needs nothing from the network (a shared
   * secret or a PEM key): the upgrade then authenticates without a promise hop (issue 19,
   * "Reconnect storms"). Absent for a JWKS URL. Throws as `verify` rejects.
   */
  verifySync?(token: string): VerifiedToken;
}

const ASYMMETRIC: readonly string[] = Object.freeze(['RS256', 'ES256', 'EdDSA']);
const MAX_TOKEN_LENGTH = 8192;
const DEFAULT_CLOCK_SKEW_SECONDS = 60;

/** The claims both verification paths hand back once the signature and `exp` hold. */
export interface TokenClaims {
  readonly sub?: unknown;
  readonly exp?: unknown;
  readonly iat?: unknown;
  readonly scope?: unknown;
  readonly scp?: unknown;
}

/** What a key-specific path checks: signature, algorithm, `exp`, issuer, audience. */
export interface VerificationSettings {
  readonly algorithms: string[];
  readonly issuer: string | undefined;
  readonly audience: string | undefined;
  readonly requireExp: boolean;
}

/**
 * A shared secret or a PEM key is verified synchronously by fast-jwt (with its cache of
 * verified tokens: a reconnect storm re-presents the same tokens); a JWKS URL by jose, whose
 * remote key set handles fetching, caching and rotation (docs/benchmarks.md, "Connection accept rate").
 */
export function createJwtVerifier(options: JwtOptions): TokenVerifier {
  const configured = [options.secret, options.publicKey, options.jwksUrl].filter((v) => v !== undefined && v !== '');
  if (configured.length !== 1) {
    throw new AgentwireError('AW_ERR_CONFIG', 'configure exactly one of jwt.secret, jwt.publicKey, jwt.jwksUrl');
  }
  const skewSeconds = options.clockSkewSeconds ?? DEFAULT_CLOCK_SKEW_SECONDS;
  if (!Number.isFinite(skewSeconds) || skewSeconds < 0) throw new AgentwireError('AW_ERR_CONFIG', 'jwt.clockSkewSeconds must be a number >= 0');
  const settings = (algorithms: string[]): VerificationSettings => ({
    algorithms: options.algorithms ?? algorithms,
    issuer: options.issuer,
    audience: options.audience,
    requireExp: options.requireExp ?? true,
  });

  const checked = (payload: TokenClaims): VerifiedToken => verifiedToken(payload, skewSeconds);
  if (options.secret) {
    if (options.secret.length < 32) throw new AgentwireError('AW_ERR_CONFIG', 'jwt.secret must be at least 32 characters');
    return syncVerifier(localKeyVerifier({ kind: 'secret', secret: options.secret }, settings(['HS256'])), checked);
  }
  if (options.publicKey) {
    return syncVerifier(localKeyVerifier({ kind: 'public-key', pem: options.publicKey }, settings([...ASYMMETRIC])), checked);
  }
  const url = URL.canParse(options.jwksUrl!) ? new URL(options.jwksUrl!) : undefined;
  if (url?.protocol !== 'https:' && url?.protocol !== 'http:') throw new AgentwireError('AW_ERR_CONFIG', 'jwt.jwksUrl must be an http(s) URL');
  // Over plain http anyone on the path can swap the key set and sign tokens for any user;
  // only a key server on this machine is out of their reach.
  if (url.protocol === 'http:' && !isLoopbackHost(url.hostname)) {
    throw new AgentwireError('AW_ERR_CONFIG', 'jwt.jwksUrl must be https unless its host is loopback (127.0.0.0/8, ::1, localhost)');
  }
  const verifyClaims = jwksVerifier(url, settings([...ASYMMETRIC]));
  return {
    async verify(token) {
      checkLength(token);
      return checked(await verifyClaims(token));
    },
  };
}

/** A verifier whose key is at hand: `verify` is `verifySync` settled as a promise. */
function syncVerifier(verifyClaims: (token: string) => TokenClaims, checked: (payload: TokenClaims) => VerifiedToken): TokenVerifier {
  const verifySync = (token: string): VerifiedToken => {
    checkLength(token);
    return checked(verifyClaims(token));
  };
  return {
    verifySync,
    verify(token) {
      try {
        return Promise.resolve(verifySync(token));
      } catch (error) {
        return Promise.reject(error as Error);
      }
    },
  };
}

function checkLength(token: string): void {
  if (token.length === 0 || token.length > MAX_TOKEN_LENGTH) throw new AgentwireError('AW_ERR_AUTH_INVALID', 'bad token length');
}

/** The checks both libraries leave to us, on claims whose signature and `exp` hold. */
function verifiedToken(payload: TokenClaims, skewSeconds: number): VerifiedToken {
  if (typeof payload.sub !== 'string' || payload.sub.length === 0 || payload.sub.length > 256) {
    throw new AgentwireError('AW_ERR_AUTH_INVALID', 'the sub claim must be a non-empty string');
  }
  // Neither library checks a future `iat` on its own (jose only with maxTokenAge).
  if (typeof payload.iat === 'number' && payload.iat > Date.now() / 1000 + skewSeconds) {
    throw new AgentwireError('AW_ERR_AUTH_INVALID', 'the iat claim is in the future');
  }
  return { userId: payload.sub, expiresAtMs: typeof payload.exp === 'number' ? payload.exp * 1000 : undefined, scopes: scopesOf(payload) };
}

function scopesOf(payload: TokenClaims): string[] {
  if (typeof payload.scope === 'string') return payload.scope.split(' ').filter(Boolean);
  if (Array.isArray(payload.scp)) return payload.scp.filter((s): s is string => typeof s === 'string');
  return [];
}

/** 127.0.0.0/8, ::1 and localhost: hosts whose traffic never leaves the machine. */
function isLoopbackHost(hostname: string): boolean {
  if (hostname === 'localhost' || hostname === '[::1]') return true;
  return isIPv4(hostname) && hostname.startsWith('127.');
}
