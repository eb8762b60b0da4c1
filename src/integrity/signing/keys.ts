/**
 * Keys for model signing: ECDSA on P-256 (SHA-256) or P-384 (SHA-384), PEM encoded, as the OpenSSF
 * model-signing format expects. A key's identity is model_signing's hint: hex SHA-256 of its SPKI PEM.
 */
import { createHash, createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { WardenError } from '../../core/index.js';

const CURVES: Record<string, 'sha256' | 'sha384'> = { prime256v1: 'sha256', secp384r1: 'sha384' };

function checkEc(key: KeyObject, what: string): 'sha256' | 'sha384' {
  const curve = key.asymmetricKeyDetails?.namedCurve;
  const hash = key.asymmetricKeyType === 'ec' && curve ? CURVES[curve] : undefined;
  if (!hash) throw new WardenError('bad_request', `${what} must be an ECDSA P-256 or P-384 key`);
  return hash;
}

export interface LoadedKey {
  key: KeyObject;
  publicKey: KeyObject;
  hash: 'sha256' | 'sha384';
  /** Hex SHA-256 of the public key's SPKI PEM (model_signing's `publicKey.hint`). */
  hint: string;
}

export function keyHint(publicKey: KeyObject): string {
  const pem = publicKey.export({ type: 'spki', format: 'pem' }) as string;
  return createHash('sha256').update(pem).digest('hex');
}

export function loadPrivateKey(pem: string | Buffer): LoadedKey {
  let key: KeyObject;
  try {
    key = createPrivateKey(pem);
  } catch (error) {
    throw new WardenError('bad_request', 'the private key is not a valid PEM key', { cause: error });
  }
  const hash = checkEc(key, 'the private key');
  const publicKey = createPublicKey(key);
  return { key, publicKey, hash, hint: keyHint(publicKey) };
}

export function loadPublicKey(pem: string | Buffer): LoadedKey {
  let key: KeyObject;
  try {
    key = createPublicKey(pem);
  } catch (error) {
    throw new WardenError('bad_request', 'the public key is not a valid PEM key', { cause: error });
  }
  const hash = checkEc(key, 'the public key');
  return { key, publicKey: key, hash, hint: keyHint(key) };
}
