/**
 * The log's Ed25519 signing key: created on first start as a PKCS#8 PEM file with mode 0600, and its
 * public half in the C2SP note verifier-key form (`<name>+<hex key id>+<base64(0x01 || key)>`).
 */
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { chmodSync, existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { WardenError } from '../core/index.js';

export interface NoteSigner {
  name: string;
  keyId: Buffer;
  privateKey: KeyObject;
  publicKey: KeyObject;
  /** The raw 32-byte Ed25519 public key. */
  publicKeyRaw: Buffer;
}

export interface NoteVerifier {
  name: string;
  keyId: Buffer;
  publicKey: KeyObject;
}

const ED25519_ALG = 0x01;
const SPKI_ED25519_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

/** C2SP signed-note key id: SHA-256(name || 0x0A || 0x01 || public key)[:4]. */
export function noteKeyId(name: string, publicKeyRaw: Buffer): Buffer {
  return createHash('sha256').update(name).update(Buffer.from([0x0a, ED25519_ALG])).update(publicKeyRaw).digest().subarray(0, 4);
}

export function rawPublicKey(publicKey: KeyObject): Buffer {
  const der = publicKey.export({ format: 'der', type: 'spki' });
  return Buffer.from(der.subarray(der.length - 32));
}

function publicKeyFromRaw(raw: Buffer): KeyObject {
  return createPublicKey({ key: Buffer.concat([SPKI_ED25519_PREFIX, raw]), format: 'der', type: 'spki' });
}

export function validKeyName(name: string): boolean {
  return name.length > 0 && !/[\s+]/u.test(name);
}

/** Loads the key file, creating it (mode 0600) when it does not exist. */
export function loadOrCreateSigningKey(path: string, name: string): NoteSigner {
  if (!validKeyName(name)) throw new WardenError('config_invalid', `audit origin \`${name}\` is not a valid key name`);
  if (!existsSync(path)) {
    const { privateKey } = generateKeyPairSync('ed25519');
    writeFileSync(path, privateKey.export({ format: 'pem', type: 'pkcs8' }), { mode: 0o600, flag: 'wx' });
  }
  const mode = statSync(path).mode & 0o777;
  if (mode & 0o077) chmodSync(path, 0o600);
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey(readFileSync(path));
  } catch (error) {
    throw new WardenError('config_invalid', 'the audit signing key file is not a PEM private key', { cause: error });
  }
  if (privateKey.asymmetricKeyType !== 'ed25519') throw new WardenError('config_invalid', 'the audit signing key must be Ed25519');
  const publicKey = createPublicKey(privateKey);
  const publicKeyRaw = rawPublicKey(publicKey);
  return { name, keyId: noteKeyId(name, publicKeyRaw), privateKey, publicKey, publicKeyRaw };
}

/** The verifier key string a checkpoint verifier needs. */
export function verifierKeyString(signer: { name: string; keyId: Buffer; publicKeyRaw: Buffer }): string {
  return `${signer.name}+${signer.keyId.toString('hex')}+${Buffer.concat([Buffer.from([ED25519_ALG]), signer.publicKeyRaw]).toString('base64')}`;
}

/** Parses `<name>+<hex id>+<base64(0x01 || key)>`, checking that the id matches the key. */
export function parseVerifierKey(text: string): NoteVerifier {
  const m = /^([^+\s]+)\+([0-9a-f]{8})\+([A-Za-z0-9+/]+=*)$/.exec(text.trim());
  if (!m) throw new WardenError('bad_request', 'a verifier key has the form `name+hexid+base64key`');
  const [, name, idHex, keyB64] = m as unknown as [string, string, string, string];
  const key = Buffer.from(keyB64, 'base64');
  if (key.length !== 33 || key[0] !== ED25519_ALG) throw new WardenError('bad_request', 'the verifier key is malformed or not Ed25519');
  const raw = key.subarray(1);
  const keyId = noteKeyId(name, raw);
  if (keyId.toString('hex') !== idHex) throw new WardenError('bad_request', 'the verifier key id does not match its key');
  return { name, keyId, publicKey: publicKeyFromRaw(raw) };
}

/** Accepts a verifier key string or an SPKI PEM public key (then `name` is required). */
export function loadVerifier(text: string, name?: string): NoteVerifier {
  if (text.includes('-----BEGIN')) {
    if (!name) throw new WardenError('bad_request', 'a PEM public key needs the log origin as its name');
    let publicKey: KeyObject;
    try {
      publicKey = createPublicKey(text);
    } catch (error) {
      throw new WardenError('bad_request', 'the public key is not a PEM public key', { cause: error });
    }
    if (publicKey.asymmetricKeyType !== 'ed25519') throw new WardenError('bad_request', 'the public key must be Ed25519');
    return { name, keyId: noteKeyId(name, rawPublicKey(publicKey)), publicKey };
  }
  return parseVerifierKey(text);
}

/** Verifier key string of an existing signing key file (never creates one). */
export function verifierKeyFromFile(path: string, name: string): string {
  if (!existsSync(path)) throw new WardenError('not_found', `no audit signing key at \`${path}\``);
  return verifierKeyString(loadOrCreateSigningKey(path, name));
}

/** SPKI PEM public key of an existing signing key file. */
export function publicKeyPemFromFile(path: string): string {
  if (!existsSync(path)) throw new WardenError('not_found', `no audit signing key at \`${path}\``);
  return createPublicKey(createPrivateKey(readFileSync(path))).export({ format: 'pem', type: 'spki' }).toString();
}
