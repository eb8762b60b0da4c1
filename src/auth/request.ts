/**
 * Input at the `/auth` boundary: bounded bodies (forms or JSON), validated with zod; CSRF and Origin
 * checks for every state-changing request from a browser.
 */
import type { IncomingMessage } from 'node:http';
import type { z } from 'zod';
import { WardenError } from '../core/index.js';
import { header, parseJsonBody, readBody } from '../gateway/index.js';
import type { BrowserSessions } from '../mfa/index.js';

const MAX_BODY = 64 * 1024;

/** A form (`application/x-www-form-urlencoded`) or JSON body, validated; a repeated form field is refused. */
export async function readInput<T extends z.ZodType>(req: IncomingMessage, schema: T): Promise<z.infer<T>> {
  const body = await readBody(req, MAX_BODY);
  const type = (header(req, 'content-type') ?? '').split(';')[0]!.trim().toLowerCase();
  let value: unknown;
  if (type === 'application/x-www-form-urlencoded') {
    const params = new URLSearchParams(body.toString('utf8'));
    const record: Record<string, string> = {};
    for (const [k, v] of params) {
      if (Object.hasOwn(record, k)) throw new WardenError('bad_request', `the field \`${k.slice(0, 40)}\` is given twice`);
      record[k] = v;
    }
    value = record;
  } else {
    value = body.length === 0 ? {} : parseJsonBody(body, header(req, 'content-type'));
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new WardenError('validation_failed', `${issue.path.join('.') || 'body'}: ${issue.message}`);
  }
  return parsed.data;
}

/**
 * A browser's state-changing request must come from one of Warden's own origins (when the browser says
 * where from) and carry the page's CSRF token (form field `csrf` or header `x-csrf-token`).
 */
export function checkCsrf(req: IncomingMessage, sessions: BrowserSessions, origins: readonly string[], submitted: string | undefined): void {
  const origin = header(req, 'origin');
  if (origin !== undefined && !origins.includes(origin)) throw new WardenError('csrf_failed', 'the request came from another site');
  if (!sessions.csrfValid(req, submitted ?? header(req, 'x-csrf-token'))) throw new WardenError('csrf_failed');
}
