/**
 * An upstream's non-success answer becomes Warden's own error, never the upstream's response: its body
 * may echo request headers (Warden's upstream key), its headers and `Location` belong to the upstream,
 * and its 401 is about Warden's credential, not the client's. The client gets a code, the upstream's
 * status as a number, and at most a short message with anything credential-like removed.
 *
 * @example
 * throw await upstreamFailure(response, upstream.scrub); // 500 → 502 upstream_error, 401 → 502 upstream_auth_failed
 */
import type { Dispatcher } from 'undici';
import { WardenError, type ErrorCode } from '../core/index.js';
import { discardBody } from './upstream.js';

/** Enough of an error body to find its message; the rest is not read. */
const MAX_ERROR_BODY = 16 << 10;
const MAX_MESSAGE = 200;

/** Words that introduce a credential: the word after them is removed as well. */
const CREDENTIAL_WORDS = /^(bearer|basic|authorization|api[-_]?key|x-api-key|token|secret|password|passwd|pwd|cookie)s?[:=]?$/i;

export function isUpstreamFailure(status: number): boolean {
  return status >= 400 || (status >= 300 && status !== 304);
}

export async function upstreamFailure(response: Dispatcher.ResponseData, scrub: (text: string) => string): Promise<WardenError> {
  const status = response.statusCode;
  const details: Record<string, unknown> = { upstreamStatus: status };
  const code = codeFor(status);
  // A redirect or an authentication failure says nothing the client may see or act on.
  const message = code === 'upstream_auth_failed' || (status >= 300 && status < 400) ? undefined : safeMessage(scrub(await readSome(response)));
  discardBody(response);
  if (status === 429) {
    const retryAfter = Number(response.headers['retry-after']);
    if (Number.isInteger(retryAfter) && retryAfter >= 0 && retryAfter <= 86_400) details.retryAfter = retryAfter;
  }
  if (message) details.upstreamMessage = message;
  return new WardenError(code, undefined, { details });
}

function codeFor(status: number): ErrorCode {
  if (status === 401 || status === 403 || status === 407) return 'upstream_auth_failed';
  if (status === 408 || status === 504) return 'upstream_timeout';
  if (status === 429) return 'rate_limited';
  if (status >= 400 && status < 500) return 'upstream_rejected';
  return 'upstream_error';
}

async function readSome(response: Dispatcher.ResponseData): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of response.body as AsyncIterable<Buffer>) {
      chunks.push(chunk);
      size += chunk.length;
      if (size >= MAX_ERROR_BODY) break;
    }
  } catch {
    // A body that fails to arrive has no message.
  }
  return Buffer.concat(chunks).subarray(0, MAX_ERROR_BODY).toString('utf8');
}

/** The upstream's own error message (OpenAI `error.message`, or a short plain-text body), scrubbed and short. */
function safeMessage(body: string): string | undefined {
  let text: string | undefined;
  try {
    const parsed = JSON.parse(body) as { error?: unknown; message?: unknown };
    const error = parsed.error;
    if (error && typeof error === 'object' && typeof (error as { message?: unknown }).message === 'string') text = (error as { message: string }).message;
    else if (typeof error === 'string') text = error;
    else if (typeof parsed.message === 'string') text = parsed.message;
  } catch {
    // Not JSON: a plain-text body is the message; an HTML or truncated JSON one is not shown.
    text = /^[^<{]/.test(body.trim()) ? body : undefined;
  }
  if (!text) return undefined;
  const scrubbed = scrubCredentials(text.split(/\r?\n/)[0]!);
  return scrubbed.length > MAX_MESSAGE ? `${scrubbed.slice(0, MAX_MESSAGE - 1)}…` : scrubbed || undefined;
}

/**
 * Removes what may be a credential, by shape, not by knowing it: any word with a digit and 8 or more
 * characters, any word of 20 or more, masked values (`sk-...****abcd`), URLs, e-mail addresses, and the
 * word after a credential keyword (`Bearer x`, `api_key=x`). What remains is prose.
 */
export function scrubCredentials(text: string): string {
  // Control characters become spaces: no terminal escapes or header-like line breaks reach the client.
  const words = Array.from(text, (c) => (c.charCodeAt(0) < 32 || c.charCodeAt(0) === 127 ? ' ' : c)).join('').split(/\s+/).filter(Boolean);
  const out: string[] = [];
  let afterKeyword = false;
  for (const word of words) {
    const bare = word.replace(/^[("'`[]+|[)"'`\].,;:!?]+$/g, '');
    const inline = /^[\w-]+[:=].+/.test(bare) && CREDENTIAL_WORDS.test(bare.split(/[:=]/)[0]! + ':');
    const risky =
      afterKeyword || inline || (/\d/.test(bare) && bare.length >= 8) || bare.length >= 20 || /[*•]{2,}|\.\.\.|:\/\/|@|[=_+/\\$%]/.test(bare);
    out.push(risky ? '[redacted]' : word);
    afterKeyword = CREDENTIAL_WORDS.test(bare);
  }
  return out.join(' ').replace(/(\[redacted\] )+\[redacted\]/g, '[redacted]');
}
