/**
 * One-time enrolment links an administrator issues (`warden mfa enrol-link`, `POST /admin/mfa/enrol-links`):
 * a random secret in the URL, only its hash stored, usable once before it expires. Audited.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { EventBus } from '../events/index.js';
import type { MfaRepository } from './store/types.js';

export interface IssuedLink {
  /** Path under Warden's public URL: `/auth/enrol/<secret>`. */
  path: string;
  expiresAt: string;
}

export async function issueEnrolLink(repo: MfaRepository, bus: EventBus, input: { principal: string; createdBy: string; ttlSeconds: number; source: string }): Promise<IssuedLink> {
  const token = randomBytes(24).toString('base64url');
  const now = Date.now();
  const expiresAt = new Date(now + input.ttlSeconds * 1000).toISOString();
  await repo.addEnrolLink({ hash: enrolLinkHash(token), principal: input.principal, createdBy: input.createdBy, createdAt: new Date(now).toISOString(), expiresAt, usedAt: null });
  bus.publish({ type: 'admin', source: input.source, actor: { type: 'Warden::User', id: input.createdBy }, operation: 'mfa.enrol_link_issued', target: input.principal, outcome: 'success', details: { expiresAt } });
  return { path: `/auth/enrol/${token}`, expiresAt };
}

/** SHA-256 of a link's secret: what the store keeps and looks up. */
export function enrolLinkHash(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}
