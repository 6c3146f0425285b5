import { SignJWT } from 'jose';
import { AgentwireError } from '../errors.js';

export interface DevLogin {
  /** Issues an HS256 token whose `sub` is the (validated) user name. */
  login(username: unknown): Promise<{ token: string; expires_at: string }>;
}

/**
 * People's names as they write them ("Renée O'Brien", "Zoë d’Arc", "José-María"): letters
 * with their combining marks, digits, spaces and the punctuation names carry. Normalised to
 * NFC first, so "é" typed as e + accent is the same user as "é".
 */
const USERNAME = /^[\p{L}\p{N}][\p{L}\p{M}\p{N} ._@'’-]{0,63}$/u;

/**
 * The demo login of the standalone server: anyone may claim any name. Never enable it
 * where user names are meant to prove anything.
 */
export function createDevLogin(secret: string, ttlMs: number): DevLogin {
  const key = new TextEncoder().encode(secret);
  return {
    async login(username) {
      const name = typeof username === 'string' ? username.trim().normalize('NFC') : '';
      if (!USERNAME.test(name)) {
        throw new AgentwireError('AW_ERR_AUTH_INVALID', "A name is 1-64 characters: letters, digits, spaces and . _ @ ' -, starting with a letter or digit.");
      }
      const expiresAt = new Date(Date.now() + ttlMs);
      const token = await new SignJWT({})
        .setProtectedHeader({ alg: 'HS256' })
        .setSubject(name)
        .setIssuedAt()
        .setExpirationTime(Math.floor(expiresAt.getTime() / 1000))
        .sign(key);
      return { token, expires_at: expiresAt.toISOString() };
    },
  };
}
