/** The `/auth` pages' markup. Every value is escaped; forms carry their CSRF token; no inline script. */
import type { FactorRecord } from '../mfa/index.js';
import { csrfField, escapeHtml as e, page } from './html.js';

export function stepUpPage(input: { decisionId: string; principal: string; csrf: string; totp: boolean; passkey: boolean }): string {
  const base = `/auth/step-up/${encodeURIComponent(input.decisionId)}`;
  const parts = [`<p>A request made as <strong>${e(input.principal)}</strong> needs stronger authentication. Verify one of your factors to allow it.</p>`];
  if (input.passkey) {
    parts.push(`<section aria-labelledby="passkey-h"><h2 id="passkey-h">Passkey</h2>
<button type="button" id="passkey" data-mode="authenticate" data-options-url="${e(base)}/passkey/options" data-verify-url="${e(base)}/passkey" data-done-url="${e(base)}/done" data-csrf="${e(input.csrf)}">Verify with a passkey</button>
<p id="passkey-status" role="status" aria-live="polite"></p></section>`);
  }
  if (input.totp) {
    parts.push(`<section aria-labelledby="totp-h"><h2 id="totp-h">Authenticator app</h2>
<form method="post" action="${e(base)}/totp">${csrfField(input.csrf)}
<label for="code">Six-digit code</label>
<input id="code" name="code" inputmode="numeric" autocomplete="one-time-code" pattern="[0-9]{6}" maxlength="6" required>
<button type="submit">Verify</button></form></section>
<section aria-labelledby="recovery-h"><h2 id="recovery-h">Recovery code</h2>
<form method="post" action="${e(base)}/recovery">${csrfField(input.csrf)}
<label for="recovery">Recovery code</label>
<input id="recovery" name="code" autocomplete="off" maxlength="20" required>
<button type="submit">Use recovery code</button></form></section>`);
  }
  if (!input.totp && !input.passkey) parts.push('<p>No factor is enrolled for this principal yet. Ask an administrator for an enrolment link.</p>');
  return page('Verify it is you', parts.join('\n'), { script: input.passkey });
}

export function stepUpDonePage(elevatedUntil: string | undefined): string {
  const what = elevatedUntil
    ? `<p>Your API key is elevated until <time datetime="${e(elevatedUntil)}">${e(elevatedUntil)}</time>. Retry the request.</p>`
    : '<p>Return to your application: it can now fetch its session token and retry the request.</p>';
  return page('Verified', `${what}\n<p><a href="/auth/factors">Manage your factors</a></p>`);
}

export function enrolStartPage(token: string, csrf: string): string {
  return page(
    'Set up strong authentication',
    `<p>This one-time link lets you enrol an authenticator app or a passkey.</p>
<form method="post" action="/auth/enrol/${e(encodeURIComponent(token))}">${csrfField(csrf)}<button type="submit">Continue</button></form>`,
  );
}

export function factorsPage(principal: string, factors: FactorRecord[], csrf: string): string {
  const rows = factors.filter((f) => f.confirmedAt !== null).map((f) => `<li>${e(f.kind === 'totp' ? 'Authenticator app' : 'Passkey')}: ${e(f.label)} (since <time datetime="${e(f.createdAt)}">${e(f.createdAt.slice(0, 10))}</time>)</li>`);
  return page(
    `Factors of ${principal}`,
    `<section aria-labelledby="list-h"><h2 id="list-h">Enrolled</h2>${rows.length ? `<ul>${rows.join('')}</ul>` : '<p>None yet.</p>'}</section>
<section aria-labelledby="totp-h"><h2 id="totp-h">Add an authenticator app</h2>
<form method="post" action="/auth/factors/totp">${csrfField(csrf)}
<label for="label">Name</label><input id="label" name="label" maxlength="100" value="authenticator app">
<button type="submit">Add</button></form></section>
<section aria-labelledby="passkey-h"><h2 id="passkey-h">Add a passkey</h2>
<button type="button" id="passkey" data-mode="register" data-options-url="/auth/factors/passkey/options" data-verify-url="/auth/factors/passkey" data-done-url="/auth/factors" data-csrf="${e(csrf)}">Add a passkey</button>
<p id="passkey-status" role="status" aria-live="polite"></p></section>`,
    { script: true },
  );
}

export function totpSetupPage(input: { factorId: string; secret: string; uri: string; csrf: string }): string {
  return page(
    'Add an authenticator app',
    `<p>Add this account to your authenticator app, then enter the code it shows.</p>
<dl><dt>Secret (manual entry)</dt><dd><code>${e(input.secret.replace(/(.{4})/g, '$1 ').trim())}</code></dd>
<dt>Setup URI</dt><dd><code>${e(input.uri)}</code></dd></dl>
<form method="post" action="/auth/factors/totp/confirm">${csrfField(input.csrf)}
<input type="hidden" name="factorId" value="${e(input.factorId)}">
<label for="code">Six-digit code</label>
<input id="code" name="code" inputmode="numeric" autocomplete="one-time-code" pattern="[0-9]{6}" maxlength="6" required>
<button type="submit">Confirm</button></form>`,
  );
}

export function recoveryCodesPage(codes: string[]): string {
  const list = codes.length ? `<p>Store these recovery codes somewhere safe: each works once, and they are not shown again.</p><ul>${codes.map((c) => `<li><code>${e(c)}</code></li>`).join('')}</ul>` : '';
  return page('Authenticator app added', `${list}<p><a href="/auth/factors">Back to your factors</a></p>`);
}

export function errorPage(title: string, message: string): string {
  return page(title, `<p role="alert">${e(message)}</p>`);
}
