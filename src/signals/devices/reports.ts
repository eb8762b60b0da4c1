/**
 * Posture reports signed by an enrolled device key: a compact JWS (`typ: device-posture+jwt`) whose `sub`
 * is the device id, `iat` its time, and `posture` the facts. The device's public key was registered by an
 * administrator (`PUT /admin/devices/:id/key`); a report from an unknown device, with another key, a bad
 * signature, a stale or future `iat`, or older than the last one accepted, is refused. Accepted facts
 * carry `source: "report"`.
 *
 * @example
 * const report = await new SignJWT({ posture: { compliant: true, diskEncrypted: true } })
 *   .setProtectedHeader({ alg: 'ES256', typ: 'device-posture+jwt' }).setSubject('laptop-7').setIssuedAt().sign(deviceKey);
 * await reports.receive(report); // { device: 'laptop-7', stored: true }
 */
import { decodeJwt, decodeProtectedHeader, importJWK, jwtVerify, type JWK } from 'jose';
import { z } from 'zod';
import { WardenError } from '../../core/index.js';
import { recordPosture, type PostureSink } from './record.js';

export const DEVICE_KEY_ALGORITHMS = ['ES256', 'ES384', 'EdDSA', 'RS256', 'PS256'] as const;

const postureSchema = z
  .object({
    managed: z.boolean().optional(),
    compliant: z.boolean().optional(),
    osPatched: z.boolean().optional(),
    diskEncrypted: z.boolean().optional(),
    platform: z.string().max(100).optional(),
  })
  .strict();

export interface PostureReportOptions extends PostureSink {
  maxAgeSeconds: number;
  clockSkewSeconds: number;
}

export class PostureReports {
  constructor(private readonly options: PostureReportOptions) {}

  async receive(token: string, nowMs = Date.now()): Promise<{ device: string; stored: boolean; observedAt: string }> {
    let device: unknown;
    try {
      const header = decodeProtectedHeader(token);
      if (typeof header.alg !== 'string' || !(DEVICE_KEY_ALGORITHMS as readonly string[]).includes(header.alg)) throw new WardenError('invalid_token', 'the report algorithm is not allowed');
      device = decodeJwt(token).sub;
    } catch (error) {
      if (error instanceof WardenError) throw error;
      throw new WardenError('bad_request', 'the body is not a compact JWS', { cause: error });
    }
    if (typeof device !== 'string' || device.length === 0 || device.length > 200) throw new WardenError('bad_request', 'the report has no device (`sub`)');
    const record = await this.options.repo.getDeviceKey(device);
    if (!record) throw new WardenError('invalid_token', `device \`${device}\` has no enrolled key`);
    let payload: Record<string, unknown>;
    try {
      const jwk = JSON.parse(record.jwk) as JWK;
      const key = await importJWK(jwk, jwk.alg ?? decodeProtectedHeader(token).alg);
      ({ payload } = await jwtVerify(token, key, { typ: 'device-posture+jwt', subject: device, algorithms: [...DEVICE_KEY_ALGORITHMS], requiredClaims: ['iat'], currentDate: new Date(nowMs), clockTolerance: this.options.clockSkewSeconds }));
    } catch (error) {
      throw new WardenError('invalid_token', 'the report signature or claims could not be verified with the device key', { cause: error });
    }
    const iatMs = (payload.iat as number) * 1000;
    if (iatMs > nowMs + this.options.clockSkewSeconds * 1000) throw new WardenError('bad_request', 'the report `iat` is in the future');
    if (nowMs - iatMs > this.options.maxAgeSeconds * 1000) throw new WardenError('bad_request', `the report is older than ${this.options.maxAgeSeconds} seconds`);
    const posture = postureSchema.safeParse(payload.posture);
    if (!posture.success) throw new WardenError('validation_failed', `\`posture.${posture.error.issues[0]!.path.join('.')}\`: ${posture.error.issues[0]!.message}`);
    const observedAt = new Date(iatMs).toISOString();
    const stored = (await recordPosture(this.options, 'report', [{ device, facts: posture.data, observedAt }], nowMs)) === 1;
    return { device, stored, observedAt };
  }
}
