/**
 * The compliance report: Warden's controls, each with the live evidence that it is in force, mapped to
 * NIST SP 800-207's tenets, the OWASP Top 10 for LLM Applications 2025, the NIST AI RMF functions and the
 * EU AI Act's Article 12 (record-keeping). The mapping is fixed text; the evidence is read when the report
 * is asked for, so a control that is switched off shows as such instead of being claimed.
 */
import type { WardenConfig } from '../config/index.js';

export interface ComplianceFacts {
  config: WardenConfig;
  policyVersion: number | null;
  policyVersions: number;
  auditSize: number;
  latestCheckpoint: { size: number; time: string } | null;
  decisions24h: { allow: number; deny: number; step_up: number };
  detections30d: number;
  assets: { total: number; verified: number; suspect: number };
  apiKeys: { active: number; revoked: number };
}

interface Control {
  id: string;
  title: string;
  inForce: boolean;
  evidence: string;
  nist80027: string[];
  owaspLlm2025: string[];
  aiRmf: string[];
  euAiActArt12: string[];
}

export function complianceReport(f: ComplianceFacts): { generatedAt: string; controls: Control[]; summary: { inForce: number; total: number } } {
  const c = f.config;
  const controls: Control[] = [
    {
      id: 'per-request-decision',
      title: 'Every request authenticated and decided by policy (Cedar)',
      inForce: f.policyVersion !== null,
      evidence: `policy version ${f.policyVersion ?? 'none'} active of ${f.policyVersions}; last 24 h: ${f.decisions24h.allow} allowed, ${f.decisions24h.deny} denied, ${f.decisions24h.step_up} step-up`,
      nist80027: ['Tenet 3: access granted per session', 'Tenet 4: dynamic policy', 'Tenet 6: authentication and authorization strictly enforced before access'],
      owaspLlm2025: ['LLM06 Excessive Agency', 'LLM10 Unbounded Consumption'],
      aiRmf: ['GOVERN 1.2', 'MANAGE 2.4'],
      euAiActArt12: [],
    },
    {
      id: 'identity',
      title: 'Identity: OIDC/JWT issuers, hashed API keys, mTLS workloads, device posture',
      inForce: c.identity.jwt.length > 0 || c.identity.apiKeys.enabled || c.identity.mtls.enabled,
      evidence: `${c.identity.jwt.length} JWT issuer(s); API keys ${c.identity.apiKeys.enabled ? 'on' : 'off'} (${f.apiKeys.active} active, ${f.apiKeys.revoked} revoked); mTLS ${c.identity.mtls.enabled && c.server.tls ? 'on' : 'off'}; ${c.devices.length} enrolled device(s)`,
      nist80027: ['Tenet 1: all data sources and computing services are resources', 'Tenet 5: integrity and security posture of assets monitored', 'Tenet 6'],
      owaspLlm2025: ['LLM06 Excessive Agency'],
      aiRmf: ['GOVERN 1.4', 'MAP 3.5'],
      euAiActArt12: ['Art. 12(3)(d): identification of the natural persons involved'],
    },
    {
      id: 'guard',
      title: 'Prompt-injection detection, DLP and output validation',
      inForce: c.guard.enabled,
      evidence: c.guard.enabled ? 'guard on for LLM routes' : 'guard switched off in the configuration',
      nist80027: ['Tenet 5'],
      owaspLlm2025: ['LLM01 Prompt Injection', 'LLM02 Sensitive Information Disclosure', 'LLM05 Improper Output Handling', 'LLM07 System Prompt Leakage'],
      aiRmf: ['MEASURE 2.7', 'MANAGE 2.2'],
      euAiActArt12: [],
    },
    {
      id: 'risk',
      title: 'Behaviour analytics: detections feed a live risk score that policies read',
      inForce: c.risk.enabled !== false,
      evidence: `${f.detections30d} detection(s) in the last 30 days`,
      nist80027: ['Tenet 7: collect information to improve security posture', 'Tenet 4'],
      owaspLlm2025: ['LLM10 Unbounded Consumption', 'LLM06 Excessive Agency'],
      aiRmf: ['MEASURE 3.1', 'MANAGE 4.1'],
      euAiActArt12: ['Art. 12(2)(a): situations that may present a risk'],
    },
    {
      id: 'integrity',
      title: 'Model and dataset integrity: signatures, verification, two-person changes, lineage',
      inForce: f.assets.total > 0,
      evidence: `${f.assets.total} registered asset(s), ${f.assets.verified} verified, ${f.assets.suspect} suspect`,
      nist80027: ['Tenet 5'],
      owaspLlm2025: ['LLM03 Supply Chain', 'LLM04 Data and Model Poisoning'],
      aiRmf: ['MAP 4.1', 'MANAGE 3.1'],
      euAiActArt12: ['Art. 12(3)(b): the reference database against which input data was checked'],
    },
    {
      id: 'audit-log',
      title: 'Tamper-evident audit log: Merkle tree, signed checkpoints, inclusion and consistency proofs',
      inForce: c.audit.enabled,
      evidence: c.audit.enabled ? `${f.auditSize} entries; latest signed checkpoint ${f.latestCheckpoint ? `at size ${f.latestCheckpoint.size}, ${f.latestCheckpoint.time}` : 'not yet made'}` : 'audit log switched off',
      nist80027: ['Tenet 7'],
      owaspLlm2025: [],
      aiRmf: ['GOVERN 1.5', 'MEASURE 2.8'],
      euAiActArt12: ['Art. 12(1): automatic recording of events over the lifetime', 'Art. 12(2)(c): monitoring of operation', 'Art. 12(3)(a): period of each use'],
    },
    {
      id: 'export',
      title: 'Export to SIEM with persisted cursors',
      inForce: c.export.sinks.length > 0,
      evidence: `${c.export.sinks.length} sink(s) configured`,
      nist80027: ['Tenet 7'],
      owaspLlm2025: [],
      aiRmf: ['MANAGE 4.1'],
      euAiActArt12: ['Art. 12(2)(b): post-market monitoring'],
    },
    {
      id: 'encryption-in-transit',
      title: 'TLS on the listener; upstream credentials injected, never the client’s',
      inForce: c.server.tls !== undefined,
      evidence: c.server.tls ? `TLS listener on port ${c.server.tls.port}${c.server.tls.requireClientCert ? ' (client certificates required)' : ''}` : 'no TLS listener configured (terminate TLS at a proxy)',
      nist80027: ['Tenet 2: all communication secured regardless of network location'],
      owaspLlm2025: ['LLM02 Sensitive Information Disclosure'],
      aiRmf: ['MANAGE 2.2'],
      euAiActArt12: [],
    },
  ];
  return { generatedAt: new Date().toISOString(), controls, summary: { inForce: controls.filter((x) => x.inForce).length, total: controls.length } };
}
