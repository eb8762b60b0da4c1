/**
 * The step-up module's admin API: enrolment links, TOTP enrolment for a principal (secret shown once),
 * and the list of a principal's factors (never their secrets). Every change is an audited event.
 */
import { z } from 'zod';
import { type AdminRoute, validateInput } from '../gateway/index.js';
import type { EventBus } from '../events/index.js';
import { issueEnrolLink } from './enrol-links.js';
import type { Mfa } from './index.js';

const principalId = z.string().min(1).max(200);
const linkSchema = z.object({ principal: principalId, ttlSeconds: z.number().int().min(60).max(30 * 86_400).optional() }).strict();
const totpSchema = z.object({ principal: principalId, label: z.string().max(100).default('authenticator app') }).strict();
const confirmSchema = z.object({ principal: principalId, factorId: z.string().min(1).max(100), code: z.string().regex(/^\d{6}$/, 'expected six digits') }).strict();

export interface MfaAdminDeps {
  mfa: Mfa;
  bus: EventBus;
  instanceId: string;
  enrolLinkTtlSeconds: number;
  publicUrl(): string;
}

export function mfaAdminRoutes(deps: MfaAdminDeps): AdminRoute[] {
  return [
    {
      method: 'POST',
      path: '/mfa/enrol-links',
      handler: async (req) => {
        const input = validateInput(linkSchema, req.body);
        const link = await issueEnrolLink(deps.mfa.repo, deps.bus, { principal: input.principal, createdBy: req.identity.principal.id, ttlSeconds: input.ttlSeconds ?? deps.enrolLinkTtlSeconds, source: deps.instanceId });
        return { status: 201, body: { principal: input.principal, url: deps.publicUrl() + link.path, expiresAt: link.expiresAt } };
      },
    },
    {
      method: 'POST',
      path: '/mfa/totp',
      handler: async (req) => {
        const input = validateInput(totpSchema, req.body);
        return { status: 201, body: await deps.mfa.totp.enrol(input.principal, input.label, req.identity.principal.id) };
      },
    },
    {
      method: 'POST',
      path: '/mfa/totp/confirm',
      handler: async (req) => {
        const input = validateInput(confirmSchema, req.body);
        return { body: await deps.mfa.totp.confirm(input.principal, input.factorId, input.code, req.identity.principal.id) };
      },
    },
    {
      method: 'GET',
      path: '/mfa/factors',
      query: ['principal'],
      handler: async (req) => {
        const principal = validateInput(principalId, req.query.principal);
        const factors = await deps.mfa.repo.listFactors(principal);
        return { body: { items: factors.map((f) => ({ id: f.id, kind: f.kind, label: f.label, createdAt: f.createdAt, confirmedAt: f.confirmedAt })), recoveryCodesLeft: await deps.mfa.repo.countRecoveryCodes(principal) } };
      },
    },
  ];
}
