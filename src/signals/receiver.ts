/**
 * Verifies a pushed Security Event Token (RFC 8417, delivered per RFC 8935): a JWS with
 * `typ: secevent+jwt` from a configured transmitter, signed by a key of its JWKS with an allowed
 * algorithm, for Warden's audience, issued recently (`iat` within `maxAgeSeconds`, not in the future),
 * and never seen before (its `jti` is recorded per issuer in the repository, shared by every instance).
 * Every refusal is a `SetError` with the RFC 8935 code.
 *
 * @example
 * const receiver = new SetReceiver({ config: config.signals.receiver, repo, directory, resolvePath });
 * const signal = await receiver.receive(body); // throws SetError('invalid_key', ...) for a forged SET
 */
import { createRemoteJWKSet, decodeJwt, decodeProtectedHeader, errors as joseErrors, jwtVerify, type JWTVerifyGetKey } from 'jose';
import { type Directory, JwksFile } from '../identity/index.js';
import type { SignalsConfig, TransmitterConfig } from './config.js';
import { parseSignal, type Signal } from './events.js';
import { SetError } from './set-error.js';
import type { SignalsRepository } from './store/types.js';

export interface SetReceiverOptions {
  config: SignalsConfig['receiver'];
  repo: SignalsRepository;
  directory: Directory;
  resolvePath(path: string): string;
  onJwksFileError?(path: string, error: Error): void;
}

/** What a verified SET says: its signal, or `ignored` for an event type Warden does not process. */
export type Received = { signal: Signal } | { ignored: string; issuer: string; jti: string };

export class SetReceiver {
  private readonly transmitters = new Map<string, { config: TransmitterConfig; keys: JWTVerifyGetKey }>();
  private readonly files: JwksFile[] = [];

  constructor(private readonly options: SetReceiverOptions) {
    for (const config of options.config.transmitters) {
      let keys: JWTVerifyGetKey;
      if (config.jwksUri) {
        keys = createRemoteJWKSet(new URL(config.jwksUri), { cooldownDuration: 30_000, timeoutDuration: 5000 });
      } else {
        const path = options.resolvePath(config.jwksFile!);
        const file = new JwksFile(path, (error) => options.onJwksFileError?.(path, error));
        this.files.push(file);
        keys = file.keys;
      }
      this.transmitters.set(config.issuer, { config, keys });
    }
  }

  /** Forgets a SET's `jti` (its effect could not be stored: the retry must be accepted). */
  release(issuer: string, jti: string): Promise<void> {
    return this.options.repo.releaseJti(issuer, jti.slice(0, 256));
  }

  close(): void {
    for (const file of this.files) file.close();
  }

  async receive(token: string, nowMs = Date.now()): Promise<Received> {
    const { config } = this.options;
    let issuer: unknown;
    try {
      const header = decodeProtectedHeader(token);
      if (typeof header.alg !== 'string' || header.alg.toLowerCase() === 'none') throw new SetError('invalid_request', 'unsigned SETs are not accepted');
      issuer = decodeJwt(token).iss;
    } catch (error) {
      if (error instanceof SetError) throw error;
      throw new SetError('invalid_request', 'the body is not a compact JWS', { cause: error });
    }
    const transmitter = typeof issuer === 'string' ? this.transmitters.get(issuer) : undefined;
    if (!transmitter) throw new SetError('invalid_issuer', 'the SET issuer is not a configured transmitter');
    let payload: Record<string, unknown>;
    try {
      ({ payload } = await jwtVerify(token, transmitter.keys, {
        issuer: transmitter.config.issuer,
        audience: config.audience,
        algorithms: transmitter.config.algorithms,
        typ: 'secevent+jwt',
        clockTolerance: config.clockSkewSeconds,
        currentDate: new Date(nowMs),
        requiredClaims: ['iat', 'jti'],
      }));
    } catch (error) {
      throw setErrorOf(error);
    }
    const iat = payload.iat as number;
    if (iat * 1000 > nowMs + config.clockSkewSeconds * 1000) throw new SetError('invalid_request', 'the SET `iat` is in the future');
    if (nowMs - iat * 1000 > config.maxAgeSeconds * 1000) throw new SetError('invalid_request', `the SET is older than ${config.maxAgeSeconds} seconds`);
    const signal = parseSignal(payload, transmitter.config, this.options.directory);
    const jti = String(payload.jti);
    // Remembered for as long as the SET could be accepted again: past that, its `iat` refuses it.
    const until = new Date((iat + config.maxAgeSeconds + config.clockSkewSeconds) * 1000).toISOString();
    if (!(await this.options.repo.useJti(transmitter.config.issuer, jti.slice(0, 256), until))) throw new SetError('invalid_request', 'the SET was already received (`jti` replayed)');
    return signal ? { signal } : { ignored: Object.keys(payload.events as object)[0] ?? '', issuer: transmitter.config.issuer, jti };
  }
}

function setErrorOf(error: unknown): SetError {
  if (error instanceof SetError) return error;
  if (error instanceof joseErrors.JWSSignatureVerificationFailed) return new SetError('invalid_key', 'the SET signature is invalid', { cause: error });
  if (error instanceof joseErrors.JWKSNoMatchingKey) return new SetError('invalid_key', 'no key of the transmitter matches the SET `kid`', { cause: error });
  if (error instanceof joseErrors.JOSEAlgNotAllowed) return new SetError('invalid_key', 'the SET algorithm is not allowed', { cause: error });
  if (error instanceof joseErrors.JWKSTimeout || error instanceof joseErrors.JWKSInvalid) return new SetError('invalid_key', "the transmitter's keys could not be obtained", { cause: error });
  if (error instanceof joseErrors.JWTClaimValidationFailed) {
    if (error.claim === 'aud') return new SetError('invalid_audience', 'the SET is not for this receiver (`aud`)', { cause: error });
    if (error.claim === 'iss') return new SetError('invalid_issuer', 'the SET issuer is not a configured transmitter', { cause: error });
    return new SetError('invalid_request', `the SET's \`${error.claim}\` is not acceptable`, { cause: error });
  }
  if (error instanceof joseErrors.JWTExpired) return new SetError('invalid_request', 'the SET has expired', { cause: error });
  return new SetError('invalid_request', 'the SET could not be verified', { cause: error });
}
