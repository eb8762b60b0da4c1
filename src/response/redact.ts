/**
 * What of an action may leave Warden (audit events, the admin API): a webhook URL can itself be the
 * secret (a Slack or Teams incoming-webhook path), so only its origin is shown; the secret reference
 * stays out too.
 */
import type { ActionRecord } from './types.js';

export function publicParams(params: Record<string, unknown>): Record<string, unknown> {
  const { secretRef: _secret, url, ...rest } = params;
  return { ...rest, ...(typeof url === 'string' ? { url: originOf(url) } : {}) };
}

export function publicAction(action: ActionRecord): ActionRecord {
  return { ...action, params: publicParams(action.params) };
}

export function originOf(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return 'invalid-url';
  }
}
