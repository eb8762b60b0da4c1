/**
 * The console's one way to call Warden: same-origin fetch with the session cookie, JSON in and out, the
 * CSRF token on every state-changing call, and Warden's error shape turned into an `ApiError`.
 */
let csrfToken = '';

export function setCsrfToken(token: string): void {
  csrfToken = token;
}

/**
 * Asks the user for a factor when an admin action is refused for want of fresh MFA; resolves true once
 * verified (the action is then retried once), false when the user cancels. Set by the MFA dialog.
 */
let freshMfaPrompt: (() => Promise<boolean>) | undefined;

export function setFreshMfaPrompt(prompt: (() => Promise<boolean>) | undefined): void {
  freshMfaPrompt = prompt;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

type Options = { method?: 'GET' | 'POST' | 'DELETE'; body?: unknown; text?: boolean };

export async function api<T>(path: string, options: Options = {}): Promise<T> {
  try {
    return await call<T>(path, options);
  } catch (error) {
    if (!(error instanceof ApiError) || error.code !== 'fresh_mfa_required' || !freshMfaPrompt || !(await freshMfaPrompt())) throw error;
    return call<T>(path, options);
  }
}

async function call<T>(path: string, options: Options): Promise<T> {
  const method = options.method ?? 'GET';
  const headers: Record<string, string> = { accept: 'application/json' };
  if (method !== 'GET') headers['x-csrf-token'] = csrfToken;
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`/ui/api${path}`, {
    method,
    headers,
    credentials: 'same-origin',
    ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
  });
  if (!res.ok) {
    const body = (await res.json().catch(() => ({}))) as { error?: { code?: string; message?: string } & Record<string, unknown> };
    const { code = 'error', message = res.statusText, ...details } = body.error ?? {};
    throw new ApiError(res.status, code, message, details);
  }
  return (options.text ? await res.text() : await res.json()) as T;
}

/** Builds a query string from the defined values only. */
export function qs(params: Record<string, string | number | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : '';
}
