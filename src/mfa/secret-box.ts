/**
 * Encryption at rest of factor secrets (TOTP seeds) under the audit log's key-encryption keys (the same
 * keyring: `audit.encryption.kekFile` / `kekEnv`), so one key protects every secret Warden stores and
 * rotating it is one operation. AES-256-GCM with the factor id as additional data: a ciphertext moved to
 * another factor's row does not decrypt. The KEK id is stored beside it, so older KEKs still decrypt.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { Keyring } from '../audit/index.js';

export interface SealedSecret {
  kekId: string;
  /** iv(12) || ciphertext || tag(16) */
  sealed: Buffer;
}

const AAD = 'warden-mfa-secret\n';

export class SecretBox {
  constructor(private readonly keyring: Keyring) {}

  seal(factorId: string, secret: Buffer): SealedSecret {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.keyring.current.key, iv);
    cipher.setAAD(Buffer.from(AAD + factorId));
    return { kekId: this.keyring.current.id, sealed: Buffer.concat([iv, cipher.update(secret), cipher.final(), cipher.getAuthTag()]) };
  }

  /** Throws when the KEK is gone or the ciphertext was altered or moved: the caller fails closed. */
  open(factorId: string, secret: SealedSecret): Buffer {
    const kek = this.keyring.byId.get(secret.kekId);
    if (!kek) throw new Error(`the key-encryption key ${secret.kekId} is not configured`);
    const { sealed } = secret;
    const decipher = createDecipheriv('aes-256-gcm', kek, sealed.subarray(0, 12));
    decipher.setAAD(Buffer.from(AAD + factorId));
    decipher.setAuthTag(sealed.subarray(sealed.length - 16));
    return Buffer.concat([decipher.update(sealed.subarray(12, sealed.length - 16)), decipher.final()]);
  }
}
