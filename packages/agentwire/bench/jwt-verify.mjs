// The cost of verifying one HS256 token: jose (WebCrypto, the verifier before issue 19) beside
// agentwire's verifier (fast-jwt, synchronous, with its cache of verified tokens), in one run.
//   node bench/jwt-verify.mjs            (after `npm run build`)
// Fresh tokens measure a first connection; repeated tokens measure a reconnect storm, where
// the same tabs come back with the tokens they had.
import { performance } from 'node:perf_hooks';
import { jwtVerify, SignJWT } from 'jose';
import { createJwtVerifier } from '../dist/index.js';

const SECRET = 'bench-secret-0123456789abcdef-0123456789';
const COUNT = Number(process.env.BENCH_JWT_TOKENS ?? 20_000);
const key = new TextEncoder().encode(SECRET);
const exp = Math.floor(Date.now() / 1000) + 3600;
const tokens = await Promise.all(
  Array.from({ length: COUNT }, (_, i) => new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setSubject(`user-${i}`).setExpirationTime(exp).sign(key)),
);

const joseKey = await crypto.subtle.importKey('raw', key, { name: 'HMAC', hash: 'SHA-256' }, false, ['verify']);
const systems = {
  'jose (WebCrypto HMAC)': (token) => jwtVerify(token, joseKey, { algorithms: ['HS256'], requiredClaims: ['exp'] }),
  'agentwire (fast-jwt)': ((verifier) => (token) => verifier.verify(token))(createJwtVerifier({ secret: SECRET })),
};

async function perToken(verify, list) {
  const started = performance.now();
  for (const token of list) await verify(token);
  return ((performance.now() - started) * 1000) / list.length;
}

console.log(`HS256 verification, ${COUNT.toLocaleString('en-US')} tokens, µs per token (lower is better)`);
console.log('| verifier | fresh tokens | the same tokens again |');
console.log('| --- | ---: | ---: |');
for (const [name, verify] of Object.entries(systems)) {
  await perToken(verify, tokens.slice(0, 2_000)); // warm-up, JIT
  const fresh = await perToken(verify, tokens.slice(2_000));
  const again = await perToken(verify, tokens.slice(2_000));
  console.log(`| ${name} | ${fresh.toFixed(1)} | ${again.toFixed(1)} |`);
}
