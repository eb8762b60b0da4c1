/**
 * Workload identity from a verified client certificate on the TLS listener: the SPIFFE ID in the URI SAN
 * when present (`spiffe://trust-domain/path`), else the subject's common name.
 */
import type { TLSSocket } from 'node:tls';
import { createHash } from 'node:crypto';

export interface CertificateIdentity {
  /** The SPIFFE ID or subject CN. */
  id: string;
  spiffeId?: string;
  fingerprint: string;
}

/** SHA-256 (hex) of the verified client certificate's DER bytes; undefined without a trusted one. */
export function verifiedCertificateSha256(socket: TLSSocket): string | undefined {
  if (!socket.authorized) return undefined;
  const raw = socket.getPeerCertificate()?.raw;
  return raw ? createHash('sha256').update(raw).digest('hex') : undefined;
}

export function identityFromCertificate(socket: TLSSocket): CertificateIdentity | undefined {
  if (!socket.authorized) return undefined;
  const cert = socket.getPeerCertificate();
  if (!cert || !cert.raw) return undefined;
  const fingerprint = createHash('sha256').update(cert.raw).digest('hex').slice(0, 32);
  const spiffeId = (cert.subjectaltname ?? '')
    .split(',')
    .map((entry) => entry.trim())
    .find((entry) => entry.startsWith('URI:spiffe://'))
    ?.slice(4);
  if (spiffeId) return { id: spiffeId, spiffeId, fingerprint };
  const cn = cert.subject?.CN;
  const subject = Array.isArray(cn) ? cn[0] : cn;
  return subject ? { id: subject, fingerprint } : undefined;
}
