import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { bearerToken } from '../../auth/credentials.js';
import type { TokenVerifier } from '../../auth/jwt.js';
import { isAgentwireError } from '../../errors.js';
import { HttpError } from '../http-io.js';

/** The scope a JWT must carry to act as a producer (docs/producers.md, "Credentials"). */
export const PRODUCER_SCOPE = 'agentwire:producer';

/** Who is calling the producer API: a configured key, or the `sub` of a producer JWT. */
export type ProducerIdentity = { readonly kind: 'key' } | { readonly kind: 'jwt'; readonly subject: string };

/**
 * Checks the server credential of a producer request: one of the API keys from the
 * configuration, or a JWT with the producer scope. A user's token (valid, no producer scope)
 * is refused with 403 `not_a_producer`: it names a user, never a server.
 */
export class ProducerCredentials {
  /** SHA-256 of each key: comparing digests of equal length keeps the comparison constant-time. */
  private readonly keyDigests: readonly Buffer[];

  constructor(
    keys: readonly string[],
    private readonly verifier: TokenVerifier,
  ) {
    this.keyDigests = keys.map(digest);
  }

  async check(req: IncomingMessage): Promise<ProducerIdentity> {
    const presented = bearerToken(req);
    if (!presented) throw new HttpError(401, 'unauthorized', 'a Bearer credential (producer API key or producer JWT) is required');
    const candidate = digest(presented);
    // Every key is compared, matched or not, so the time taken says nothing about which one.
    let matched = false;
    for (const key of this.keyDigests) matched = timingSafeEqual(key, candidate) || matched;
    if (matched) return { kind: 'key' };
    let verified;
    try {
      verified = await this.verifier.verify(presented);
    } catch (error) {
      if (isAgentwireError(error)) throw new HttpError(401, 'unauthorized', 'not a producer key, and not a valid token');
      throw error;
    }
    if (!verified.scopes.includes(PRODUCER_SCOPE)) {
      throw new HttpError(403, 'not_a_producer', `a user's token cannot act as a producer: the token needs the ${PRODUCER_SCOPE} scope`);
    }
    return { kind: 'jwt', subject: verified.userId };
  }
}

const digest = (value: string): Buffer => createHash('sha256').update(value, 'utf8').digest();
