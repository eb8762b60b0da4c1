/**
 * Detectors keyed by source and credential rather than by principal: password spray / credential
 * stuffing (many principals failing from one source, then a success) and token anomalies (one token or
 * session used from two devices or networks).
 */
import type { RiskConfig } from '../config.js';
import type { Activity, Finding } from '../types.js';
import { networkKey } from './sign-in.js';

interface SourceState {
  fails: Map<string, number>;
  attempts: number;
  lastAlert: number;
}

interface TokenState {
  principal: string;
  device: string | undefined;
  network: string | undefined;
  ip: string | undefined;
  t: number;
}

const MAX_SOURCES = 100_000;
const MAX_TOKENS = 200_000;

export class SourceDetectors {
  readonly sources = new Map<string, SourceState>();
  readonly tokens = new Map<string, TokenState>();

  constructor(private readonly config: RiskConfig) {}

  spray(a: Activity, out: Finding[]): void {
    if (a.kind !== 'auth' || !a.sourceIp) return;
    const windowMs = this.config.spray.windowMinutes * 60_000;
    let s = this.sources.get(a.sourceIp);
    if (!s) {
      if (a.success) return;
      if (this.sources.size >= MAX_SOURCES) this.sources.delete(this.sources.keys().next().value as string);
      s = { fails: new Map(), attempts: 0, lastAlert: -Infinity };
      this.sources.set(a.sourceIp, s);
    }
    for (const [k, t] of s.fails) if (a.t - t > windowMs) s.fails.delete(k);
    const min = this.config.spray.minPrincipals;
    if (!a.success) {
      s.attempts++;
      s.fails.set(a.key, a.t);
      if (s.fails.size >= min && a.t - s.lastAlert > windowMs) {
        s.lastAlert = a.t;
        out.push({
          detector: 'risk.password_spray',
          category: 'identity',
          entity: { type: 'SourceIp', id: a.sourceIp },
          score: Math.min(0.95, 0.5 + s.fails.size / (4 * min)),
          explanation: `${s.fails.size} distinct principals failed to sign in from \`${a.sourceIp}\` within ${this.config.spray.windowMinutes} min (threshold ${min}; a source normally serves one or a few principals)`,
          details: { principals: [...s.fails.keys()].slice(0, 20), window: this.config.spray.windowMinutes },
        });
      }
      return;
    }
    if (s.fails.size >= Math.ceil(min / 2) && (s.fails.has(a.key) || s.fails.size >= min)) {
      out.push({
        detector: 'risk.spray_success',
        category: 'identity',
        entity: a.principal,
        score: 0.85,
        explanation: `successful sign-in from \`${a.sourceIp}\` right after ${s.fails.size} principals failed from it within ${this.config.spray.windowMinutes} min: likely a sprayed or stuffed credential`,
        details: { sourceIp: a.sourceIp, failedPrincipals: s.fails.size },
        sessionId: a.credentialId,
      });
    }
  }

  token(a: Activity, out: Finding[]): void {
    const id = a.credentialId;
    if (!id || !a.success) return;
    const network = networkKey(a);
    const prev = this.tokens.get(id);
    if (!prev) {
      if (this.tokens.size >= MAX_TOKENS) this.tokens.delete(this.tokens.keys().next().value as string);
      this.tokens.set(id, { principal: a.key, device: a.device, network, ip: a.sourceIp, t: a.t });
      return;
    }
    const windowMs = this.config.token.windowMinutes * 60_000;
    const recent = a.t - prev.t <= windowMs;
    const otherDevice = a.device !== undefined && prev.device !== undefined && a.device !== prev.device;
    const otherNetwork = network !== undefined && prev.network !== undefined && network !== prev.network;
    if (recent && (otherDevice || otherNetwork)) {
      const service = a.principal.type !== 'User';
      const score = otherDevice ? 0.9 : service ? 0.8 : 0.35;
      out.push({
        detector: 'risk.token_reuse',
        category: 'identity',
        entity: a.principal,
        score,
        explanation: `token/session \`${id.slice(0, 12)}\` used from ${otherDevice ? `device \`${a.device}\`` : ''}${otherDevice && otherNetwork ? ' and ' : ''}${otherNetwork ? `network \`${network}\` (${a.sourceIp})` : ''} ${Math.round((a.t - prev.t) / 60_000)} min after ${otherDevice ? `device \`${prev.device}\`` : `network \`${prev.network}\``} (${prev.ip}); a token is bound to one ${service ? 'host' : 'device'}`,
        details: { previous: { device: prev.device, network: prev.network, ip: prev.ip }, current: { device: a.device, network, ip: a.sourceIp } },
        sessionId: id,
        requestId: a.requestId,
      });
    }
    prev.device = a.device ?? prev.device;
    prev.network = network ?? prev.network;
    prev.ip = a.sourceIp ?? prev.ip;
    prev.t = a.t;
  }
}
