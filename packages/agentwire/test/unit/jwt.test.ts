import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, SignJWT, UnsecuredJWT } from 'jose';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createJwtVerifier, type TokenVerifier } from '../../src/auth/jwt.js';
import { isAgentwireError, type ErrorCode } from '../../src/errors.js';

const SECRET = 'jwt-unit-test-secret-0123456789abcdef';
const secretKey = new TextEncoder().encode(SECRET);
const nowS = () => Math.floor(Date.now() / 1000);

const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const ed = generateKeyPairSync('ed25519');
const pem = (key: KeyObject) => key.export({ type: 'spki', format: 'pem' }).toString();

interface SignOptions {
  sub?: string | null;
  expiresIn?: number;
  kid?: string;
  claims?: Record<string, unknown>;
}

function sign(alg: string, key: KeyObject | Uint8Array, options: SignOptions = {}): Promise<string> {
  const jwt = new SignJWT(options.claims ?? {})
    .setProtectedHeader({ alg, ...(options.kid !== undefined && { kid: options.kid }) })
    .setIssuedAt()
    .setExpirationTime(nowS() + (options.expiresIn ?? 600));
  if (options.sub !== null) jwt.setSubject(options.sub ?? 'user-1');
  return jwt.sign(key);
}

async function rejection(verifier: TokenVerifier, token: string): Promise<ErrorCode> {
  try {
    await verifier.verify(token);
  } catch (error) {
    if (isAgentwireError(error)) return error.code;
    throw error;
  }
  throw new Error('the token was accepted');
}

function configCode(build: () => unknown): ErrorCode | 'accepted' {
  try {
    build();
    return 'accepted';
  } catch (error) {
    if (isAgentwireError(error)) return error.code;
    throw error;
  }
}

describe('createJwtVerifier', () => {
  describe('HS256 with a shared secret', () => {
    const verifier = createJwtVerifier({ secret: SECRET });

    it('verifies a token: sub is the user id, exp in ms', async () => {
      const exp = nowS() + 600;
      const token = await new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setSubject('alice').setExpirationTime(exp).sign(secretKey);
      expect(await verifier.verify(token)).toEqual({ userId: 'alice', expiresAtMs: exp * 1000, scopes: [] });
    });

    it('with requireExp false, a token without exp has no expiry', async () => {
      const token = await new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setSubject('bob').sign(secretKey);
      const lenient = createJwtVerifier({ secret: SECRET, requireExp: false });
      expect(await lenient.verify(token)).toEqual({ userId: 'bob', expiresAtMs: undefined, scopes: [] });
    });

    it('reads the scopes from `scope` (space-separated) or `scp` (array), for producer tokens', async () => {
      const exp = nowS() + 600;
      const sign = (claims: Record<string, unknown>) => new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).setSubject('svc').setExpirationTime(exp).sign(secretKey);
      expect((await verifier.verify(await sign({ scope: 'read  agentwire:producer' }))).scopes).toEqual(['read', 'agentwire:producer']);
      expect((await verifier.verify(await sign({ scp: ['agentwire:producer', 7] }))).scopes).toEqual(['agentwire:producer']);
      expect((await verifier.verify(await sign({ scope: 42 }))).scopes).toEqual([]);
    });

    it('an expired token → AW_ERR_AUTH_EXPIRED', async () => {
      expect(await rejection(verifier, await sign('HS256', secretKey, { expiresIn: -60 }))).toBe('AW_ERR_AUTH_EXPIRED');
    });

    it('a token signed with another secret → AW_ERR_AUTH_INVALID', async () => {
      const other = new TextEncoder().encode('another-secret-0123456789abcdef-xyz');
      expect(await rejection(verifier, await sign('HS256', other))).toBe('AW_ERR_AUTH_INVALID');
    });

    it('a token without sub, or with an empty one → AW_ERR_AUTH_INVALID', async () => {
      expect(await rejection(verifier, await sign('HS256', secretKey, { sub: null }))).toBe('AW_ERR_AUTH_INVALID');
      expect(await rejection(verifier, await sign('HS256', secretKey, { sub: '' }))).toBe('AW_ERR_AUTH_INVALID');
    });

    it('an unsigned (alg none) token → AW_ERR_AUTH_INVALID', async () => {
      const unsecured = new UnsecuredJWT({}).setSubject('mallory').setExpirationTime('10m').encode();
      expect(await rejection(verifier, unsecured)).toBe('AW_ERR_AUTH_INVALID');
    });

    it.each(['', 'garbage', 'a.b.c', 'x'.repeat(9000)])('malformed token %# → AW_ERR_AUTH_INVALID', async (token) => {
      expect(await rejection(verifier, token)).toBe('AW_ERR_AUTH_INVALID');
    });

    it('an asymmetric token is refused by an HS256 verifier', async () => {
      expect(await rejection(verifier, await sign('RS256', rsa.privateKey))).toBe('AW_ERR_AUTH_INVALID');
    });

    it('enforces issuer and audience when configured', async () => {
      const strict = createJwtVerifier({ secret: SECRET, issuer: 'https://issuer.example', audience: 'agentwire' });
      const good = await sign('HS256', secretKey, { claims: { iss: 'https://issuer.example', aud: 'agentwire' } });
      expect((await strict.verify(good)).userId).toBe('user-1');
      expect(await rejection(strict, await sign('HS256', secretKey, { claims: { iss: 'https://evil.example', aud: 'agentwire' } }))).toBe(
        'AW_ERR_AUTH_INVALID',
      );
      expect(await rejection(strict, await sign('HS256', secretKey, { claims: { iss: 'https://issuer.example', aud: 'other' } }))).toBe(
        'AW_ERR_AUTH_INVALID',
      );
    });
  });

  describe('public keys (PEM)', () => {
    it.each([
      ['RS256', rsa],
      ['ES256', ec],
      ['EdDSA', ed],
    ] as const)('%s: verifies with the PEM public key generated here', async (alg, pair) => {
      const verifier = createJwtVerifier({ publicKey: pem(pair.publicKey) });
      expect((await verifier.verify(await sign(alg, pair.privateKey, { sub: `user-${alg}` }))).userId).toBe(`user-${alg}`);
      expect(await rejection(verifier, await sign(alg, pair.privateKey, { expiresIn: -60 }))).toBe('AW_ERR_AUTH_EXPIRED');
    });

    it('a token signed by another key pair → AW_ERR_AUTH_INVALID', async () => {
      const stranger = generateKeyPairSync('rsa', { modulusLength: 2048 });
      const verifier = createJwtVerifier({ publicKey: pem(rsa.publicKey) });
      expect(await rejection(verifier, await sign('RS256', stranger.privateKey))).toBe('AW_ERR_AUTH_INVALID');
    });

    it('an HS256 token cannot pass as signed by the public key (algorithm confusion)', async () => {
      const verifier = createJwtVerifier({ publicKey: pem(rsa.publicKey) });
      const confused = await sign('HS256', new TextEncoder().encode(pem(rsa.publicKey)));
      expect(await rejection(verifier, confused)).toBe('AW_ERR_AUTH_INVALID');
    });

    it('a missing sub → AW_ERR_AUTH_INVALID', async () => {
      const verifier = createJwtVerifier({ publicKey: pem(ed.publicKey) });
      expect(await rejection(verifier, await sign('EdDSA', ed.privateKey, { sub: null }))).toBe('AW_ERR_AUTH_INVALID');
    });
  });

  // Issue 19 moved secrets and PEM keys to fast-jwt's synchronous verifier; these hold the
  // attacks that a verifier swap could reopen against that path.
  describe('the synchronous path (secret and PEM key): none, confusion, cache', () => {
    afterEach(() => vi.useRealTimers());

    const unsigned = (header: Record<string, unknown>, signature = '') => {
      const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
      return `${part(header)}.${part({ sub: 'mallory', exp: nowS() + 600 })}.${signature}`;
    };

    it('alg none, with or without a signature part, is refused by a secret and by a public key', async () => {
      for (const verifier of [createJwtVerifier({ secret: SECRET }), createJwtVerifier({ publicKey: pem(rsa.publicKey) })]) {
        for (const alg of ['none', 'None', 'NONE']) {
          expect(await rejection(verifier, unsigned({ alg }))).toBe('AW_ERR_AUTH_INVALID');
          expect(await rejection(verifier, unsigned({ alg }, 'c2lnbmF0dXJl'))).toBe('AW_ERR_AUTH_INVALID');
        }
      }
    });

    it.each([
      ['RS256', rsa],
      ['ES256', ec],
      ['EdDSA', ed],
    ] as const)('an HMAC token keyed with the %s public key (PEM or DER) is refused', async (_alg, pair) => {
      const verifier = createJwtVerifier({ publicKey: pem(pair.publicKey) });
      const der = pair.publicKey.export({ type: 'spki', format: 'der' });
      for (const hmac of ['HS256', 'HS384', 'HS512']) {
        expect(await rejection(verifier, await sign(hmac, new TextEncoder().encode(pem(pair.publicKey))))).toBe('AW_ERR_AUTH_INVALID');
        expect(await rejection(verifier, await sign(hmac, new Uint8Array(der)))).toBe('AW_ERR_AUTH_INVALID');
      }
    });

    it('a token of another asymmetric kind than the key is refused (RS256 claimed, EC key configured)', async () => {
      const verifier = createJwtVerifier({ publicKey: pem(ec.publicKey) });
      expect(await rejection(verifier, await sign('RS256', rsa.privateKey))).toBe('AW_ERR_AUTH_INVALID');
    });

    it('algorithms that the key kind cannot verify are a configuration error, not a silent accept-all', () => {
      expect(configCode(() => createJwtVerifier({ secret: SECRET, algorithms: ['RS256'] }))).toBe('AW_ERR_CONFIG');
      expect(configCode(() => createJwtVerifier({ publicKey: pem(rsa.publicKey), algorithms: ['HS256'] }))).toBe('AW_ERR_CONFIG');
    });

    it('a verified token stays verified only until its exp: the cache never outlives it', async () => {
      const verifier = createJwtVerifier({ secret: SECRET });
      const token = await sign('HS256', secretKey, { expiresIn: 120 });
      expect((await verifier.verify(token)).userId).toBe('user-1');
      expect((await verifier.verify(token)).userId).toBe('user-1');
      vi.useFakeTimers({ toFake: ['Date'] });
      vi.setSystemTime(Date.now() + 121_000);
      expect(await rejection(verifier, token)).toBe('AW_ERR_AUTH_EXPIRED');
    });

    it('a cached token does not vouch for a token with the same claims and another signature', async () => {
      const verifier = createJwtVerifier({ secret: SECRET });
      const token = await sign('HS256', secretKey);
      await verifier.verify(token);
      const [header, payload] = token.split('.');
      const forged = `${header}.${payload}.${Buffer.alloc(32, 7).toString('base64url')}`;
      expect(await rejection(verifier, forged)).toBe('AW_ERR_AUTH_INVALID');
    });
  });

  describe('JWKS served over HTTP', () => {
    let server: Server;
    let jwksUrl: string;
    let requests = 0;

    beforeAll(async () => {
      const keys = [
        { ...(await exportJWK(rsa.publicKey)), kid: 'rsa-1', alg: 'RS256', use: 'sig' },
        { ...(await exportJWK(ed.publicKey)), kid: 'ed-1', alg: 'EdDSA', use: 'sig' },
      ];
      server = createServer((req, res) => {
        requests++;
        if (req.url !== '/.well-known/jwks.json') return void res.writeHead(404).end();
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys }));
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      jwksUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/.well-known/jwks.json`;
    });
    afterAll(async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    });

    it('verifies RS256 and EdDSA tokens by kid, fetching the key set from the server', async () => {
      const verifier = createJwtVerifier({ jwksUrl });
      const before = requests;
      expect((await verifier.verify(await sign('RS256', rsa.privateKey, { kid: 'rsa-1', sub: 'r' }))).userId).toBe('r');
      expect((await verifier.verify(await sign('EdDSA', ed.privateKey, { kid: 'ed-1', sub: 'e' }))).userId).toBe('e');
      expect(requests).toBeGreaterThan(before);
    });

    it('an unknown kid, or a key not in the set → AW_ERR_AUTH_INVALID', async () => {
      const verifier = createJwtVerifier({ jwksUrl });
      expect(await rejection(verifier, await sign('RS256', rsa.privateKey, { kid: 'nope' }))).toBe('AW_ERR_AUTH_INVALID');
      const stranger = generateKeyPairSync('ed25519');
      expect(await rejection(verifier, await sign('EdDSA', stranger.privateKey, { kid: 'ed-1' }))).toBe('AW_ERR_AUTH_INVALID');
    });

    it('an expired token → AW_ERR_AUTH_EXPIRED', async () => {
      const verifier = createJwtVerifier({ jwksUrl });
      expect(await rejection(verifier, await sign('RS256', rsa.privateKey, { kid: 'rsa-1', expiresIn: -60 }))).toBe('AW_ERR_AUTH_EXPIRED');
    });

    it('an unreachable JWKS refuses the token instead of throwing something uncoded', async () => {
      const verifier = createJwtVerifier({ jwksUrl: jwksUrl.replace('jwks.json', 'missing.json') });
      expect(await rejection(verifier, await sign('RS256', rsa.privateKey, { kid: 'rsa-1' }))).toBe('AW_ERR_AUTH_INVALID');
    });
  });

  describe('configuration', () => {
    it('needs exactly one key source', () => {
      expect(configCode(() => createJwtVerifier({}))).toBe('AW_ERR_CONFIG');
      expect(configCode(() => createJwtVerifier({ secret: SECRET, publicKey: pem(ed.publicKey) }))).toBe('AW_ERR_CONFIG');
      expect(configCode(() => createJwtVerifier({ secret: SECRET, jwksUrl: 'https://idp.example/jwks' }))).toBe('AW_ERR_CONFIG');
    });

    it('refuses a short secret, a key that is not PEM and a JWKS URL that is not http(s)', () => {
      expect(configCode(() => createJwtVerifier({ secret: 'short' }))).toBe('AW_ERR_CONFIG');
      expect(configCode(() => createJwtVerifier({ publicKey: 'not a key' }))).toBe('AW_ERR_CONFIG');
      for (const jwksUrl of ['not a url', 'file:///etc/jwks.json']) expect(configCode(() => createJwtVerifier({ jwksUrl })), jwksUrl).toBe('AW_ERR_CONFIG');
    });
  });
});
