/**
 * Webhook messages: the body, its signature and its check. The signature is HMAC-SHA256 over
 * `<timestamp>.<body>` with the playbook's secret, sent as `x-warden-signature: v1=<hex>` beside
 * `x-warden-timestamp: <unix seconds>`, so a receiver can refuse replays of old messages.
 *
 * @example
 * const { headers } = signWebhook(secret, body, Date.now());
 * verifyWebhook(secret, headers['x-warden-timestamp'], body, headers['x-warden-signature']); // true
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { ActionRecord } from './types.js';

export const SIGNATURE_HEADER = 'x-warden-signature';
export const TIMESTAMP_HEADER = 'x-warden-timestamp';

export function signWebhook(secret: string, body: string, nowMs: number): { headers: Record<string, string> } {
  const timestamp = String(Math.floor(nowMs / 1000));
  const mac = createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');
  return { headers: { [TIMESTAMP_HEADER]: timestamp, [SIGNATURE_HEADER]: `v1=${mac}` } };
}

/** For receivers: true when the signature is right and the timestamp within `toleranceSeconds` of now. */
export function verifyWebhook(secret: string, timestamp: string | undefined, body: string, signature: string | undefined, nowMs = Date.now(), toleranceSeconds = 300): boolean {
  if (!timestamp || !signature || !/^\d{1,12}$/.test(timestamp)) return false;
  if (Math.abs(nowMs / 1000 - Number(timestamp)) > toleranceSeconds) return false;
  const expected = Buffer.from(`v1=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`);
  const given = Buffer.from(signature);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** The message for an action: Warden's JSON, or a Slack- or Teams-compatible message. */
export function webhookBody(action: ActionRecord, format: 'json' | 'slack' | 'teams', incident: { id: string; severity: string } | undefined): string {
  const text = `Warden playbook \`${action.playbook}\` on ${action.target.type}::${action.target.id}: ${action.reason}${incident ? ` (incident ${incident.id}, ${incident.severity})` : ''}`;
  if (format === 'slack') return JSON.stringify({ text });
  if (format === 'teams') return JSON.stringify({ '@type': 'MessageCard', '@context': 'https://schema.org/extensions', summary: `Warden: ${action.playbook}`, title: `Warden: ${action.playbook}`, text });
  return JSON.stringify({
    type: 'warden.response',
    actionId: action.id,
    playbook: action.playbook,
    target: action.target,
    reason: action.reason,
    triggerEventId: action.triggerEventId,
    ...(incident ? { incident } : {}),
    time: action.createdAt,
  });
}
