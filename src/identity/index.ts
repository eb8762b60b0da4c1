/** Who is calling: API keys, JWT verification, the directory of principals, scopes, the authenticator. */
export { ApiKeyStore, hashKey, looksLikeApiKey, type ApiKeyRecord } from './apikeys.js';
export { Authenticator, type RequestCredentials } from './authenticate.js';
export { credentialAllows, requireScope, scopeAllows, scopeFor, scopeNotCovered, validateScopes, type ScopeNeed } from './scopes.js';
export { Directory } from './directory.js';
export { JwtVerifier, type VerifiedJwt } from './jwt.js';
export { identityFromCertificate, type CertificateIdentity } from './mtls.js';
export type { ApiKeyRepository, ApiKeyRow, DemoKeyRow } from './store/types.js';
export { SqliteApiKeyRepository } from './store/sqlite.js';
export { PgApiKeyRepository } from './store/postgres.js';
export { JwksFile } from './jwks-file.js';
export { verifiedCertificateSha256 } from './mtls.js';
