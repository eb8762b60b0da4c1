/**
 * `/auth/enrol/:token` and `/auth/factors`: enrolling factors. Enrolment needs a browser session of the
 * principal, which only a one-time enrolment link (issued by an administrator) or a completed step-up
 * starts: nobody enrols a factor for someone else by knowing their name.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import { WardenError } from '../core/index.js';
import { sendJson } from '../gateway/index.js';
import { enrolLinkHash } from '../mfa/index.js';
import type { BrowserSession } from '../mfa/index.js';
import type { AuthDeps } from './deps.js';
import { sendHtml } from './html.js';
import { enrolStartPage, factorsPage, recoveryCodesPage, totpSetupPage } from './pages.js';
import { checkCsrf, readInput } from './request.js';

const csrfOnly = z.object({ csrf: z.string().max(100).optional() }).strict();
const labelForm = z.object({ csrf: z.string().max(100).optional(), label: z.string().trim().max(100).default('') }).strict();
const confirmForm = z.object({ csrf: z.string().max(100).optional(), factorId: z.string().min(1).max(100), code: z.string().trim().regex(/^\d{6}$/, 'expected six digits') }).strict();
const registerBody = z.object({ ceremonyId: z.string().min(1).max(100), label: z.string().max(100).default('passkey'), response: z.looseObject({ id: z.string().min(1).max(1024) }) }).strict();

export async function handleEnrolLink(deps: AuthDeps, req: IncomingMessage, res: ServerResponse, token: string): Promise<void> {
  if (!/^[A-Za-z0-9_-]{20,100}$/.test(token)) throw new WardenError('session_required', 'the enrolment link is invalid, used or expired');
  if (req.method === 'GET') {
    // Showing the page does not use the link: link previews and scanners must not burn it.
    return sendHtml(res, 200, enrolStartPage(token, deps.sessions.anonymousCsrf(req, res)));
  }
  if (req.method !== 'POST') throw new WardenError('method_not_allowed');
  const input = await readInput(req, csrfOnly);
  checkCsrf(req, deps.sessions, deps.origins, input.csrf);
  const principal = await deps.repo.useEnrolLink(enrolLinkHash(token), new Date().toISOString());
  if (principal === undefined) throw new WardenError('session_required', 'the enrolment link is invalid, used or expired');
  deps.sessions.start(res, principal, []);
  deps.totp.audit('mfa.enrol_link_used', principal, principal, {});
  res.writeHead(303, { location: '/auth/factors', 'cache-control': 'no-store' });
  res.end();
}

export async function handleFactors(deps: AuthDeps, req: IncomingMessage, res: ServerResponse, action: string): Promise<void> {
  const session = deps.sessions.read(req);
  if (!session) throw new WardenError('session_required');
  const method = req.method ?? 'GET';
  if (action === '' && method === 'GET') return sendHtml(res, 200, factorsPage(session.principal, await deps.repo.listFactors(session.principal), session.csrf));
  if (method !== 'POST') throw new WardenError('method_not_allowed');
  if (action === 'totp') {
    const input = await readInput(req, labelForm);
    checkCsrf(req, deps.sessions, deps.origins, input.csrf);
    const enrolment = await deps.totp.enrol(session.principal, input.label, session.principal);
    return sendHtml(res, 200, totpSetupPage({ ...enrolment, csrf: session.csrf }));
  }
  if (action === 'totp/confirm') {
    const input = await readInput(req, confirmForm);
    checkCsrf(req, deps.sessions, deps.origins, input.csrf);
    const { recoveryCodes } = await deps.totp.confirm(session.principal, input.factorId, input.code, session.principal);
    return sendHtml(res, 200, recoveryCodesPage(recoveryCodes));
  }
  if (action === 'passkey/options') return passkeyOptions(deps, req, res, session);
  if (action === 'passkey') {
    const input = await readInput(req, registerBody);
    checkCsrf(req, deps.sessions, deps.origins, undefined);
    const factorId = await deps.passkeys.register(session.principal, input.ceremonyId, input.response as never, input.label, session.principal);
    return sendJson(res, 201, { factorId });
  }
  throw new WardenError('not_found');
}

async function passkeyOptions(deps: AuthDeps, req: IncomingMessage, res: ServerResponse, session: BrowserSession): Promise<void> {
  checkCsrf(req, deps.sessions, deps.origins, undefined);
  sendJson(res, 200, await deps.passkeys.registrationOptions(session.principal));
}
