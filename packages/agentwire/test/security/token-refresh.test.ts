import { SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { createJwtVerifier } from '../../src/index.js';
import { verifyRefresh } from '../../src/gateway/token-refresh.js';
import { TEST_SECRET, testToken } from '../helpers/server.js';

const verifier = createJwtVerifier({ secret: TEST_SECRET });

describe('in-band token refresh (issue 12, sessions that end; protocol 1.1)', () => {
  it('finding: a refresh with a new token of the same user extends the connection to the new exp', async () => {
    const token = await testToken('alice', 7200);
    const { expiresAtMs } = (await verifier.verify(token)) as { expiresAtMs: number };
    expect(await verifyRefresh('alice', token, verifier)).toEqual({ outcome: 'ok', expiresAtMs });
  });

  it('finding: an invalid or expired refresh token answers unauthorized and extends nothing', async () => {
    const expired = await testToken('alice', -60);
    expect(await verifyRefresh('alice', expired, verifier)).toMatchObject({ outcome: 'unauthorized' });
    const forged = await new SignJWT({})
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('alice')
      .setExpirationTime('1h')
      .sign(new TextEncoder().encode('not-the-server-secret-0123456789abcdef'));
    expect(await verifyRefresh('alice', forged, verifier)).toMatchObject({ outcome: 'unauthorized' });
    expect(await verifyRefresh('alice', 'garbage', verifier)).toMatchObject({ outcome: 'unauthorized' });
    // A refresh must not turn a session that ends into one that never does.
    const noExp = await new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setSubject('alice').sign(new TextEncoder().encode(TEST_SECRET));
    expect(await verifyRefresh('alice', noExp, verifier)).toMatchObject({ outcome: 'unauthorized' });
  });

  it("finding: a refresh with another user's token is answered other_user (close 1008), never a change of user", async () => {
    expect(await verifyRefresh('alice', await testToken('mallory'), verifier)).toEqual({ outcome: 'other_user' });
  });
});
