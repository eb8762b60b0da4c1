/** Shared set-up for the identity tests: a JWKS file, a directory and an Authenticator over a temp store. */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SignJWT } from 'jose';
import { configSchema } from '../../src/config/schema.js';
import { WardenError } from '../../src/core/errors.js';
import type { ApiKeyStore} from '../../src/identity/index.js';
import { Authenticator, Directory, JwtVerifier } from '../../src/identity/index.js';
import { openDatabase } from '../../src/store/index.js';
import { makeKey, type TestKey } from '../helpers/jwks.js';
import { tempDir } from '../helpers/warden-process.js';
import { sqliteKeyStore } from '../helpers/key-store.js';

export function code(error: unknown): string {
  assert.ok(error instanceof WardenError, String(error));
  return error.code;
}

export interface IdentitySetup {
  dir: string;
  auth: Authenticator;
  apiKeys: ApiKeyStore;
  good: TestKey;
  other: TestKey;
  jwksPath: string;
}

/** `overrides` are merged into the configuration (identity.jwt[0] fields go under `issuer`). */
export async function identitySetup(overrides: { issuer?: Record<string, unknown>; devices?: unknown[]; principals?: unknown[]; identity?: Record<string, unknown> } = {}): Promise<IdentitySetup> {
  const dir = tempDir();
  const good = await makeKey('k1');
  const other = await makeKey('k2');
  const jwksPath = join(dir, 'jwks.json');
  writeFileSync(jwksPath, JSON.stringify({ keys: [good.jwk] }));
  const config = configSchema.parse({
    identity: {
      jwt: [{ issuer: 'https://idp.test', audience: 'warden', jwksFile: jwksPath, algorithms: ['RS256'], clockSkewSeconds: 5, ...overrides.issuer }],
      ...overrides.identity,
    },
    principals: overrides.principals ?? [
      { id: 'alice', groups: ['engineering'], roles: ['user'] },
      { id: 'bob', groups: ['contractors'], roles: ['user'] },
      { id: 'carol', groups: ['security'], roles: ['admin'] },
      { id: 'bot', kind: 'Agent', groups: ['agents'], mayActFor: ['group:engineering'] },
    ],
    devices: overrides.devices ?? [{ id: 'laptop', owner: 'alice', managed: true, compliant: true }],
  });
  const directory = new Directory(config.principals, config.devices);
  const apiKeys = await sqliteKeyStore(openDatabase(dir));
  const auth = new Authenticator({
    apiKeys,
    jwt: new JwtVerifier(config.identity.jwt, (p) => p),
    directory,
    apiKeysEnabled: true,
    mtlsEnabled: true,
  });
  return { dir, auth, apiKeys, good, other, jwksPath };
}

/** Signs exactly the claims given (no defaults), so a test can leave out `exp` or `sub`. */
export function signRaw(key: TestKey, claims: Record<string, unknown>, header: Record<string, unknown> = {}): Promise<string> {
  return new SignJWT(claims).setProtectedHeader({ alg: key.alg, kid: key.kid, ...header }).sign(key.privateKey);
}

export const nowSeconds = (): number => Math.floor(Date.now() / 1000);
