/**
 * OIDC/JWT bearer verification against a JWKS (remote with caching, rotation and a bounded refresh rate,
 * or a local file). Checks signature, `iss`, `aud`, `exp` and `nbf` with a small clock skew, and accepts
 * only the algorithms in the issuer's allow-list: `alg: none` and HS* (RS/HS key confusion) never pass.
 */
import { createRemoteJWKSet, decodeJwt, decodeProtectedHeader, errors as joseErrors, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import { WardenError } from '../core/index.js';
import type { JwtIssuerConfig } from '../config/index.js';
import { JwksFile } from './jwks-file.js';

export interface VerifiedJwt {
  issuer: string;
  payload: JWTPayload & Record<string, unknown>;
  config: JwtIssuerConfig;
}

interface IssuerVerifier {
  config: JwtIssuerConfig;
  keys: JWTVerifyGetKey;
}

export interface JwtVerifierOptions {
  /** A watched `jwksFile` that could not be reloaded (the last good keys stay in use). */
  onJwksFileError?: (path: string, error: Error) => void;
}

export class JwtVerifier {
  private readonly issuers = new Map<string, IssuerVerifier>();
  private readonly files: JwksFile[] = [];

  constructor(configs: JwtIssuerConfig[], resolvePath: (path: string) => string, options: JwtVerifierOptions = {}) {
    for (const config of configs) {
      let keys: JWTVerifyGetKey;
      if (config.jwksUri) {
        keys = createRemoteJWKSet(new URL(config.jwksUri), {
          cacheMaxAge: config.jwksCacheMaxAgeSeconds * 1000,
          cooldownDuration: config.jwksCooldownSeconds * 1000,
          timeoutDuration: 5000,
        });
      } else {
        const path = resolvePath(config.jwksFile!);
        const file = new JwksFile(path, (error) => options.onJwksFileError?.(path, error));
        this.files.push(file);
        keys = file.keys;
      }
      this.issuers.set(config.issuer, { config, keys });
    }
  }

  /** Starts watching every `jwksFile` (reloaded when it changes). */
  watchFiles(intervalMs?: number): void {
    for (const file of this.files) file.watch(intervalMs);
  }

  /** Reloads every `jwksFile` now; false if any kept its previous keys. */
  reloadFiles(): boolean {
    return this.files.map((f) => f.reload()).every(Boolean);
  }

  close(): void {
    for (const file of this.files) file.close();
  }

  get enabled(): boolean {
    return this.issuers.size > 0;
  }

  /** Verifies a compact JWS; throws `invalid_token` or `token_expired` with a safe message. */
  async verify(token: string): Promise<VerifiedJwt> {
    let issuer: string | undefined;
    try {
      const header = decodeProtectedHeader(token);
      if (typeof header.alg !== 'string' || header.alg.toLowerCase() === 'none') throw new WardenError('invalid_token', 'unsigned tokens are not accepted');
      issuer = decodeJwt(token).iss;
    } catch (error) {
      if (error instanceof WardenError) throw error;
      throw new WardenError('invalid_token', 'the bearer token is malformed', { cause: error });
    }
    const verifier = issuer === undefined ? undefined : this.issuers.get(issuer);
    if (!verifier) throw new WardenError('invalid_token', 'the token issuer is not trusted');
    const { config } = verifier;
    try {
      const { payload } = await jwtVerify(token, verifier.keys, {
        issuer: config.issuer,
        audience: config.audience,
        algorithms: config.algorithms,
        clockTolerance: config.clockSkewSeconds,
        requiredClaims: ['exp', 'sub'],
      });
      return { issuer: config.issuer, payload: payload as VerifiedJwt['payload'], config };
    } catch (error) {
      throw mapJoseError(error);
    }
  }
}

function mapJoseError(error: unknown): WardenError {
  if (error instanceof joseErrors.JWTExpired) return new WardenError('token_expired', undefined, { cause: error });
  if (error instanceof joseErrors.JWTClaimValidationFailed) {
    return new WardenError('invalid_token', `the token's \`${error.claim}\` claim is not acceptable`, { cause: error });
  }
  if (error instanceof joseErrors.JOSEAlgNotAllowed) return new WardenError('invalid_token', 'the token algorithm is not allowed', { cause: error });
  if (error instanceof joseErrors.JWKSNoMatchingKey) return new WardenError('invalid_token', 'no key matches the token `kid`', { cause: error });
  if (error instanceof joseErrors.JWSSignatureVerificationFailed) return new WardenError('invalid_token', 'the token signature is invalid', { cause: error });
  if (error instanceof joseErrors.JWKSTimeout || error instanceof joseErrors.JWKSInvalid) {
    // The key source failed: the request cannot be verified, so it is refused (fail closed).
    return new WardenError('invalid_token', 'the issuer keys could not be obtained', { cause: error });
  }
  return new WardenError('invalid_token', undefined, { cause: error });
}
