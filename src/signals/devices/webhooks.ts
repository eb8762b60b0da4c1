/**
 * MDM/EDR posture webhooks at `POST /signals/posture/<name>`: authenticated by an HMAC over
 * `<timestamp>.<body>` with a shared secret (the same scheme Warden's own webhooks use: headers
 * `x-warden-timestamp` and `x-warden-signature: v1=<hex>`, five minutes' tolerance) or by a JWT body
 * signed by the configured issuer. The payload is mapped by the webhook's `format`; facts carry
 * `source: "webhook:<name>"`.
 */
import { createRemoteJWKSet, jwtVerify, type JWTVerifyGetKey } from 'jose';
import { WardenError, parseJsonStrict, resolveSecret } from '../../core/index.js';
import { SIGNATURE_HEADER, TIMESTAMP_HEADER, verifyWebhook } from '../../response/index.js';
import type { PostureWebhookConfig } from '../config.js';
import { mapPosture } from './mappings.js';
import { recordPosture, type PostureSink } from './record.js';

export interface PostureWebhookOptions extends PostureSink {
  webhooks: readonly PostureWebhookConfig[];
  env: NodeJS.ProcessEnv;
  clockSkewSeconds: number;
}

export class PostureWebhooks {
  private readonly keys = new Map<string, JWTVerifyGetKey>();

  constructor(private readonly options: PostureWebhookOptions) {
    for (const w of options.webhooks) if (w.jwt) this.keys.set(w.name, createRemoteJWKSet(new URL(w.jwt.jwksUri), { cooldownDuration: 30_000, timeoutDuration: 5000 }));
  }

  has(name: string): boolean {
    return this.options.webhooks.some((w) => w.name === name);
  }

  async receive(name: string, headers: Record<string, string | undefined>, body: Buffer, nowMs = Date.now()): Promise<{ received: number; stored: number }> {
    const webhook = this.options.webhooks.find((w) => w.name === name);
    if (!webhook) throw new WardenError('not_found', `no posture webhook \`${name.slice(0, 100)}\``);
    const document = await this.authenticated(webhook, headers, body, nowMs);
    const observations = mapPosture(webhook.format, document, nowMs).map((o) => ({
      ...o,
      // A source's clock ahead of Warden's cannot make its word last longer.
      observedAt: Date.parse(o.observedAt) > nowMs + this.options.clockSkewSeconds * 1000 ? new Date(nowMs).toISOString() : o.observedAt,
    }));
    return { received: observations.length, stored: await recordPosture(this.options, `webhook:${name}`, observations, nowMs) };
  }

  private async authenticated(webhook: PostureWebhookConfig, headers: Record<string, string | undefined>, body: Buffer, nowMs: number): Promise<unknown> {
    if (webhook.secret) {
      const secret = resolveSecret(webhook.secret, `signals.posture.webhooks.${webhook.name}.secret`, this.options.env);
      if (!verifyWebhook(secret, headers[TIMESTAMP_HEADER], body.toString('utf8'), headers[SIGNATURE_HEADER], nowMs)) throw new WardenError('unauthenticated', 'the webhook signature is missing, wrong or too old');
      try {
        return parseJsonStrict(body);
      } catch (error) {
        throw new WardenError('invalid_json', 'the webhook body is not valid JSON', { cause: error });
      }
    }
    const jwt = webhook.jwt!;
    try {
      const { payload } = await jwtVerify(body.toString('utf8').trim(), this.keys.get(webhook.name)!, { issuer: jwt.issuer, audience: jwt.audience, algorithms: jwt.algorithms, requiredClaims: ['iat'], currentDate: new Date(nowMs), maxTokenAge: '5m' });
      // The document is the token's claims without the registered ones (RFC 7519 section 4.1).
      const { iss: _iss, sub: _sub, aud: _aud, exp: _exp, nbf: _nbf, iat: _iat, jti: _jti, ...document } = payload;
      return document;
    } catch (error) {
      throw new WardenError('unauthenticated', 'the webhook token could not be verified', { cause: error });
    }
  }
}
