/**
 * The transmitter's signing key: a private JWK (EC P-256 → ES256, RSA → RS256, Ed25519 → EdDSA) or a
 * PKCS#8 PEM (ES256), read from a secret reference. Its public half is published as the JWKS receivers
 * verify Warden's SETs with (`/.well-known/ssf-jwks.json`); the `kid` is the key's RFC 7638 thumbprint
 * unless the JWK names one.
 *
 * @example
 * const key = await loadSigningKey('env:WARDEN_SSF_KEY', env);
 * key.jwks; // { keys: [{ kty: 'EC', crv: 'P-256', x, y, kid, alg: 'ES256', use: 'sig' }] }
 */
import { calculateJwkThumbprint, exportJWK, importJWK, importPKCS8, type CryptoKey, type JWK } from 'jose';
import { createPublicKey } from 'node:crypto';
import { WardenError, resolveSecret } from '../core/index.js';

export interface SigningKey {
  alg: string;
  kid: string;
  key: CryptoKey;
  jwks: { keys: JWK[] };
}

const KEY_PATH = 'signals.transmitter.signingKey';
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'];

export async function loadSigningKey(reference: string, env: NodeJS.ProcessEnv): Promise<SigningKey> {
  const text = resolveSecret(reference, KEY_PATH, env).trim();
  try {
    let alg: string;
    let key: CryptoKey;
    let publicJwk: JWK;
    let kid: string | undefined;
    if (text.startsWith('{')) {
      const jwk = JSON.parse(text) as JWK;
      if (typeof jwk.d !== 'string') throw new Error('the JWK has no private part');
      alg = jwk.alg ?? (jwk.kty === 'EC' ? 'ES256' : jwk.kty === 'RSA' ? 'RS256' : 'EdDSA');
      key = (await importJWK(jwk, alg)) as CryptoKey;
      publicJwk = Object.fromEntries(Object.entries(jwk).filter(([k]) => !PRIVATE_MEMBERS.includes(k))) as JWK;
      kid = jwk.kid;
    } else {
      alg = 'ES256';
      key = await importPKCS8(text, alg, { extractable: false });
      publicJwk = await exportJWK(createPublicKey(text));
    }
    kid ??= await calculateJwkThumbprint(publicJwk);
    return { alg, kid, key, jwks: { keys: [{ ...publicJwk, kid, alg, use: 'sig' }] } };
  } catch (error) {
    throw new WardenError('config_invalid', `${KEY_PATH}: the key could not be read (expected a private JWK or a PKCS#8 PEM)`, { cause: error });
  }
}
