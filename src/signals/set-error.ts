/**
 * RFC 8935 section 2.3: a SET the receiver refuses is answered 400 with `{"err", "description"}`; the
 * codes are the IANA "Security Event Token Error Codes" registry. The body also carries Warden's own
 * error shape, so Warden's clients read it like any other refusal.
 */
export type SetErrorCode = 'invalid_request' | 'invalid_key' | 'invalid_issuer' | 'invalid_audience' | 'authentication_failed' | 'access_denied';

export class SetError extends Error {
  constructor(
    readonly err: SetErrorCode,
    readonly description: string,
    options?: { cause?: unknown },
  ) {
    super(description, options);
    this.name = 'SetError';
  }

  /** The 400 body: RFC 8935's members first, Warden's error shape beside them. */
  body(): { err: SetErrorCode; description: string; error: { code: 'bad_request'; message: string } } {
    return { err: this.err, description: this.description, error: { code: 'bad_request', message: this.description } };
  }
}
