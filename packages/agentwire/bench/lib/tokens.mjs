// HS256 JWTs for the bench's users (what agentwire's `auth.jwt` verifies); none without a secret.
import { SignJWT } from 'jose';

export async function signTokens(secret, userIds) {
  if (!secret) return userIds.map(() => undefined);
  const key = new TextEncoder().encode(secret);
  const now = Math.floor(Date.now() / 1000);
  return Promise.all(
    userIds.map((userId) => new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setSubject(userId).setIssuedAt(now).setExpirationTime(now + 3600).sign(key)),
  );
}
