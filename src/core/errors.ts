/**
 * The one registry of Warden's error codes. Every error that reaches a client is a `WardenError` with a
 * code from this table; the HTTP layer turns it into `{"error": {"code", "message"}}` with the status
 * below. docs/errors.md is generated from (and tested against) this table.
 */
export const ERRORS = {
  bad_request: { status: 400, message: 'the request is malformed', remedy: 'fix the request body or parameters' },
  invalid_json: { status: 400, message: 'the request body is not valid JSON', remedy: 'send a valid JSON body' },
  body_too_large: { status: 413, message: 'the request body is larger than the configured limit', remedy: 'send a smaller body or raise `server.maxBodyBytes`' },
  unsupported_media_type: { status: 415, message: 'the request body must be JSON', remedy: 'send `content-type: application/json`' },
  validation_failed: { status: 400, message: 'the request does not match the expected shape', remedy: 'see the message for the field path' },
  unauthenticated: { status: 401, message: 'no valid credential was presented', remedy: 'send a bearer token, an API key or a client certificate' },
  invalid_token: { status: 401, message: 'the bearer token is invalid', remedy: 'obtain a new token from the identity provider' },
  token_expired: { status: 401, message: 'the bearer token has expired', remedy: 'obtain a new token' },
  invalid_api_key: { status: 401, message: 'the API key is invalid, expired or revoked', remedy: 'create a new key with `warden keys create`' },
  step_up_required: { status: 401, message: 'stronger authentication is required', remedy: 'authenticate again with MFA and retry' },
  forbidden: { status: 403, message: 'access denied by policy', remedy: 'ask an administrator for access' },
  insufficient_scope: { status: 403, message: 'the credential lacks the scope for this request', remedy: 'use a credential with the required scope' },
  fresh_mfa_required: { status: 403, message: 'this console action needs a recently verified factor', remedy: 'verify a TOTP or recovery code in the console (it asks), then retry' },
  csrf_rejected: { status: 403, message: 'cross-site request refused', remedy: 'use the console page itself; reload it to get a fresh CSRF token' },
  not_found: { status: 404, message: 'no such route', remedy: 'check the URL' },
  unknown_model: { status: 404, message: 'no such model', remedy: 'list the models with GET /v1/models' },
  method_not_allowed: { status: 405, message: 'method not allowed', remedy: 'check the HTTP method' },
  conflict: { status: 409, message: 'the resource is in a conflicting state', remedy: 'reload and retry' },
  guard_blocked: { status: 400, message: 'the content was blocked by the guard', remedy: 'remove the flagged content' },
  guard_error: { status: 503, message: 'the guard could not inspect the content', remedy: 'retry; this route fails closed when inspection fails' },
  content_too_large: { status: 413, message: 'the content is larger than the scan limit', remedy: 'send less text' },
  policy_invalid: { status: 422, message: 'the policy set is invalid', remedy: 'fix the policies; the set in force stays in force' },
  rate_limited: { status: 429, message: 'too many requests', remedy: 'retry later' },
  limit_exceeded: { status: 429, message: "a rate limit or budget of Warden's `limits:` is exhausted", remedy: 'retry after the `Retry-After` seconds; `limit` names the rule' },
  limits_unavailable: { status: 503, message: 'the shared limit counters could not be checked, so the request is refused', remedy: 'retry shortly; an operator must check Redis (`cluster.redisUrl`), or set `limits.failOpen`' },
  internal: { status: 500, message: 'internal error', remedy: 'see the server log for the request id' },
  upstream_unavailable: { status: 502, message: 'the upstream is unavailable', remedy: 'check the upstream service' },
  upstream_timeout: { status: 504, message: 'the upstream did not answer in time', remedy: 'retry or raise the upstream timeout' },
  upstream_error: { status: 502, message: 'the upstream answered with an error', remedy: 'retry; if it persists, check the upstream service' },
  upstream_auth_failed: { status: 502, message: "the upstream refused Warden's own credential for it (your credential was accepted)", remedy: "an operator must fix the upstream's `apiKey` in the configuration" },
  upstream_rejected: { status: 400, message: 'the upstream rejected the request', remedy: 'check the request against the upstream API; `upstreamStatus` gives its status' },
  upstream_invalid_answer: { status: 502, message: 'the upstream answer could not be inspected', remedy: 'Warden relays only answers it can inspect: check the upstream (format, size, encoding)' },
  config_invalid: { status: 500, message: 'the configuration is invalid', remedy: 'run `warden config check`' },
  mcp_invalid_message: { status: 400, message: 'the body is not a valid MCP JSON-RPC message or batch', remedy: 'send JSON-RPC 2.0 requests with MCP methods; see docs/mcp.md for the limits' },
  mcp_session_unknown: { status: 404, message: 'no such MCP session for this caller', remedy: 'send `initialize` without a session id to start a new session' },
  mcp_tool_quarantined: { status: 403, message: 'the tool definition is not approved (new, changed or rejected)', remedy: 'an approver reviews it with `warden mcp tools list` and `warden mcp tools approve`' },
  mcp_approval_required: { status: 403, message: "this call needs a person's approval", remedy: 'ask the person the agent acts for to approve it, or use a session without untrusted content' },
  mcp_result_blocked: { status: 502, message: 'the tool result was blocked by the guard', remedy: 'the result held injected instructions or secrets; see the detection events' },
  source_blocked: { status: 403, message: 'requests from this address are blocked by an automated response', remedy: 'ask the security team; see `warden response list`' },
  credential_revoked: { status: 401, message: 'the credential was revoked by an automated response', remedy: 'authenticate again (a new token or key) once the security team has cleared the account' },
  access_cut: { status: 403, message: 'the request was ended by an automated response', remedy: 'ask the security team; see `warden incidents list`' },
  not_ready: { status: 503, message: 'warden is not ready', remedy: 'retry shortly' },
  // Step-up and MFA (issue 14)
  invalid_dpop_proof: { status: 401, message: 'the DPoP proof is missing or invalid', remedy: 'sign a fresh DPoP proof (RFC 9449) for this method and URL with the key the session token is bound to' },
  mfa_verification_failed: { status: 401, message: 'the factor could not be verified', remedy: 'enter a current code or use an enrolled passkey' },
  mfa_locked: { status: 429, message: 'too many failed verifications: the factor is locked for a while', remedy: 'wait for the lock-out to end, or ask an administrator' },
  mfa_unavailable: { status: 503, message: 'the shared step-up state (DPoP replay cache, factor lock-out) could not be checked, so the request is refused', remedy: 'retry shortly; an operator must check Redis (`cluster.redisUrl`)' },
  challenge_not_found: { status: 404, message: 'no such step-up challenge, or it has expired', remedy: 'retry the original request to get a new challenge' },
  session_required: { status: 401, message: 'a session or an enrolment link is required', remedy: 'open the enrolment link an administrator issued (`warden mfa enrol-link`)' },
  csrf_failed: { status: 403, message: 'the form is stale or was sent from another site', remedy: 'reload the page and submit again' },
  // Shared Signals (issue 14): what the identity provider said about the account
  session_revoked: { status: 401, message: 'the session was revoked by the identity provider', remedy: 'sign in again to get a new token' },
  account_disabled: { status: 403, message: 'the account is disabled by the identity provider', remedy: 'ask the identity provider administrator to enable the account' },
} as const satisfies Record<string, { status: number; message: string; remedy: string }>;

export type ErrorCode = keyof typeof ERRORS;

export class WardenError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  /** Extra fields safe to show to the client (never secrets). */
  readonly details: Record<string, unknown> | undefined;

  constructor(code: ErrorCode, message?: string, options?: { cause?: unknown; details?: Record<string, unknown> }) {
    super(message ?? ERRORS[code].message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'WardenError';
    this.code = code;
    this.status = ERRORS[code].status;
    this.details = options?.details;
  }
}

/** The one JSON shape of every error body. Unknown errors become `internal`, without their message. */
export function errorBody(err: unknown): { status: number; body: { error: { code: ErrorCode; message: string } & Record<string, unknown> } } {
  if (err instanceof WardenError) {
    return { status: err.status, body: { error: { code: err.code, message: err.message, ...(err.details ?? {}) } } };
  }
  return { status: 500, body: { error: { code: 'internal', message: ERRORS.internal.message } } };
}

/**
 * A configuration that cannot be used (the file, an environment variable that overrides it), with one
 * issue per key path. Here in core, not in config, because modules below config (the cluster's
 * `WARDEN_NATS_URL`) raise it too, and config imports those modules' schemas.
 */
export class ConfigError extends Error {
  constructor(
    message: string,
    readonly issues: { path: string; message: string }[] = [],
  ) {
    super(message);
    this.name = 'ConfigError';
  }
}
