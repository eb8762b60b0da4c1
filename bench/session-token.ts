/**
 * The added cost of a step-up session token on each request: verifying the token (HS256) and its DPoP
 * proof (ES256 signature, htm/htu/iat/ath checks, jti replay cache), side by side with verifying an
 * mTLS-bound token (no per-request signature) and with an IdP JWT (RS256) as the baseline Warden already
 * pays. Figures are per request, in microseconds, on this machine; compare the ratios.
 *
 *   node --import tsx bench/session-token.ts
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { SignJWT, exportJWK, generateKeyPair, jwtVerify, type JWK } from 'jose';
import { Directory } from '../src/identity/directory.js';
import { DpopVerifier } from '../src/mfa/dpop.js';
import { ReplayCache } from '../src/mfa/replay-cache.js';
import { SessionAuthenticator } from '../src/mfa/session-auth.js';
import { SessionTokens } from '../src/mfa/session-token.js';

const N = Number(process.env.N ?? 3000);
const URL_ = 'http://localhost:8080/v1/chat/completions';

async function timeIt(label: string, make: (i: number) => Promise<() => Promise<unknown>>): Promise<number> {
  const jobs = await Promise.all(Array.from({ length: N }, (_, i) => make(i)));
  for (const job of jobs.slice(0, 200)) await job(); // warm-up
  const t0 = performance.now();
  for (const job of jobs.slice(200)) await job();
  const us = ((performance.now() - t0) * 1000) / (N - 200);
  console.log(`${label.padEnd(48)} ${us.toFixed(1).padStart(8)} µs/request`);
  return us;
}

const kek = randomBytes(32);
const tokens = new SessionTokens(kek, 900);
const dpop = new DpopVerifier(new ReplayCache(), 60);
const auth = new SessionAuthenticator(tokens, dpop, new Directory([{ id: 'alice', kind: 'User', attributes: {}, groups: [], roles: [], mayActFor: [] }], []));
const { privateKey, publicKey } = await generateKeyPair('ES256');
const jwk: JWK = await exportJWK(publicKey);
const { calculateJwkThumbprint } = await import('jose');
const jkt = await calculateJwkThumbprint(jwk);
const base = { principal: 'alice', kind: 'User' as const, amr: ['otp'], authTime: Math.floor(Date.now() / 1000), groups: [], roles: [] };
const dpopToken = await tokens.issue({ ...base, binding: { jkt }, jti: randomUUID() });
const certThumb = randomBytes(32).toString('base64url');
const mtlsToken = await tokens.issue({ ...base, binding: { 'x5t#S256': certThumb }, jti: randomUUID() });
const ath = createHash('sha256').update(dpopToken).digest('base64url');
const rsa = await generateKeyPair('RS256');
const idpToken = await new SignJWT({}).setProtectedHeader({ alg: 'RS256' }).setSubject('alice').setIssuedAt().setExpirationTime('5m').sign(rsa.privateKey);

const idp = await timeIt('baseline: IdP JWT (RS256) verify', async () => () => jwtVerify(idpToken, rsa.publicKey));
const mtls = await timeIt('session token, mTLS-bound (HS256 + thumbprint)', async () => () => auth.authenticate({ token: mtlsToken, scheme: 'bearer', method: 'POST', urls: [URL_], certificateSha256: certThumb }));
const bound = await timeIt('session token, DPoP-bound (HS256 + ES256 proof)', async () => {
  const proof = await new SignJWT({ htm: 'POST', htu: URL_, jti: randomUUID(), ath }).setProtectedHeader({ alg: 'ES256', typ: 'dpop+jwt', jwk }).setIssuedAt().sign(privateKey);
  return () => auth.authenticate({ token: dpopToken, scheme: 'dpop', dpop: proof, method: 'POST', urls: [URL_] });
});
console.log(`\nratios: mTLS-bound / IdP JWT = ${(mtls / idp).toFixed(2)}, DPoP-bound / IdP JWT = ${(bound / idp).toFixed(2)}; target: ≤ 50 µs added per request`);
