/**
 * `/auth/step-up/:decisionId`: the page a 401 names. The person verifies a TOTP code, a recovery code or
 * a passkey; the challenge completes (elevating the API key the request used, if any) and their browser
 * session is stepped up too. `POST .../token` is the client's side: once the challenge is complete, it
 * exchanges it for a session token bound to its DPoP key or client certificate.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TLSSocket } from 'node:tls';
import { z } from 'zod';
import { WardenError } from '../core/index.js';
import { header, sendJson } from '../gateway/index.js';
import { verifiedCertificateSha256 } from '../identity/index.js';
import type { Binding, ChallengeRecord } from '../mfa/index.js';
import type { AuthDeps } from './deps.js';
import { sendHtml } from './html.js';
import { stepUpDonePage, stepUpPage } from './pages.js';
import { checkCsrf, readInput } from './request.js';

const codeForm = z.object({ csrf: z.string().max(100).optional(), code: z.string().trim().min(1).max(20) }).strict();
const passkeyBody = z.object({ ceremonyId: z.string().min(1).max(100), response: z.looseObject({ id: z.string().min(1).max(1024) }) }).strict();

const secretParam = z.string().regex(/^[A-Za-z0-9_-]{20,64}$/);

/**
 * The open challenge, if this browser holds its URL's secret (the `k` query parameter, then a cookie
 * scoped to the challenge); 404 otherwise, before anything counts against the person's lock-out: a
 * stranger who learnt the decision id (logs, headers) cannot make guesses that lock the person out.
 */
async function boundChallenge(deps: AuthDeps, req: IncomingMessage, id: string): Promise<{ challenge: ChallengeRecord; secret: string }> {
  const challenge = await deps.stepUps.pending(id);
  const fromUrl = new URL(req.url ?? '/', 'http://warden').searchParams.get('k') ?? undefined;
  const secret = fromUrl !== undefined && secretParam.safeParse(fromUrl).success ? fromUrl : deps.sessions.stepUpSecret(req);
  if (!deps.stepUps.holdsSecret(challenge, secret)) throw new WardenError('challenge_not_found', 'open the link from the 401 answer itself: this challenge belongs to the client that received it');
  return { challenge, secret: secret! };
}

export async function handleStepUp(deps: AuthDeps, req: IncomingMessage, res: ServerResponse, id: string, action: string): Promise<void> {
  const method = req.method ?? 'GET';
  if (action === 'token' && method === 'POST') return redeem(deps, req, res, id);
  if (action === 'done' && method === 'GET') return done(deps, res, id);
  if (action === '' && method === 'GET') {
    const { challenge, secret } = await boundChallenge(deps, req, id);
    deps.sessions.holdStepUpSecret(res, challenge.id, secret, Math.max(1, Math.ceil((Date.parse(challenge.expiresAt) - Date.now()) / 1000)));
    return show(deps, req, res, challenge);
  }
  if (method !== 'POST') throw new WardenError('method_not_allowed');
  if (action === 'totp' || action === 'recovery') {
    const input = await readInput(req, codeForm);
    checkCsrf(req, deps.sessions, deps.origins, input.csrf);
    const { challenge } = await boundChallenge(deps, req, id);
    const amr = action === 'totp' ? await deps.totp.verify(challenge.principal, input.code) : await deps.totp.verifyRecoveryCode(challenge.principal, input.code);
    const { elevatedUntil } = await complete(deps, res, challenge, amr);
    return sendHtml(res, 200, stepUpDonePage(elevatedUntil));
  }
  if (action === 'passkey/options') {
    checkCsrf(req, deps.sessions, deps.origins, undefined);
    const { challenge } = await boundChallenge(deps, req, id);
    return sendJson(res, 200, await deps.passkeys.authenticationOptions(challenge.principal));
  }
  if (action === 'passkey') {
    const input = await readInput(req, passkeyBody);
    checkCsrf(req, deps.sessions, deps.origins, undefined);
    const { challenge } = await boundChallenge(deps, req, id);
    const amr = await deps.passkeys.authenticate(challenge.principal, input.ceremonyId, input.response as never);
    const { elevatedUntil } = await complete(deps, res, challenge, amr);
    return sendJson(res, 200, { verified: true, ...(elevatedUntil ? { elevatedUntil } : {}) });
  }
  throw new WardenError('not_found');
}

async function show(deps: AuthDeps, req: IncomingMessage, res: ServerResponse, challenge: ChallengeRecord): Promise<void> {
  const factors = (await deps.repo.listFactors(challenge.principal)).filter((f) => f.confirmedAt !== null);
  const csrf = deps.sessions.read(req)?.csrf ?? deps.sessions.anonymousCsrf(req, res);
  sendHtml(res, 200, stepUpPage({ decisionId: challenge.id, principal: challenge.principal, csrf, totp: factors.some((f) => f.kind === 'totp'), passkey: factors.some((f) => f.kind === 'webauthn') }));
}

async function complete(deps: AuthDeps, res: ServerResponse, challenge: ChallengeRecord, amr: string[]): Promise<{ elevatedUntil?: string }> {
  const result = await deps.stepUps.complete(challenge, amr);
  // The browser that verified gets a stepped-up session (the console and factor pages use it).
  deps.sessions.start(res, challenge.principal, amr);
  return result;
}

async function done(deps: AuthDeps, res: ServerResponse, id: string): Promise<void> {
  const challenge = await deps.repo.getChallenge(id);
  if (!challenge || challenge.completedAt === null) throw new WardenError('challenge_not_found');
  const elevatedUntil = challenge.apiKeyId === null ? undefined : deps.stepUps.elevation(challenge.apiKeyId)?.expiresAt;
  sendHtml(res, 200, stepUpDonePage(elevatedUntil));
}

/** The client's exchange: its usual credential, plus a DPoP proof (or its client certificate) to bind to. */
async function redeem(deps: AuthDeps, req: IncomingMessage, res: ServerResponse, id: string): Promise<void> {
  const identity = await deps.authenticate(req);
  const path = (req.url ?? '').split('?')[0]!;
  let binding: Binding;
  if (header(req, 'dpop') !== undefined) {
    binding = { jkt: await deps.dpop.verify(header(req, 'dpop'), { method: 'POST', urls: deps.origins.map((o) => o + path) }) };
  } else {
    const socket = req.socket as TLSSocket;
    const fingerprint = socket.encrypted ? verifiedCertificateSha256(socket) : undefined;
    if (fingerprint === undefined) throw new WardenError('invalid_dpop_proof', 'send a DPoP proof (or use a client certificate) to bind the session token to');
    binding = { 'x5t#S256': Buffer.from(fingerprint, 'hex').toString('base64url') };
  }
  const { token, expiresIn } = await deps.stepUps.redeem(id, identity, binding);
  sendJson(res, 200, { access_token: token, token_type: 'jkt' in binding ? 'DPoP' : 'Bearer', expires_in: expiresIn }, { 'cache-control': 'no-store' });
}
