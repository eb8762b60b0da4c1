/**
 * Behaviour detectors against the principal's own baseline and its peer group's: unusual hours (own
 * weekly pattern), volume anomalies (requests, bytes, tokens, downloads per hour), first access to a
 * resource that no peer uses, and an agent's first call of an MCP tool it never used before.
 */
import type { Baseline, GroupBaseline } from '../baseline/principal.js';
import { excess, METRICS, MIN_ABSOLUTE } from '../baseline/volume.js';
import type { EntityRef } from '../../core/index.js';
import type { Activity, Finding } from '../types.js';
import { fmtDays, hourOfWeek, HOUR_MS } from './context.js';

const DAY_NAMES = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

export function detectHours(a: Activity, b: Baseline, learning: boolean, out: Finding[]): void {
  if (!a.success) return;
  const slot = hourOfWeek(a.t);
  if (!learning && b.hourTotal >= 50) {
    const share = b.hourShare(slot);
    if (share < 0.005) {
      out.push({
        detector: 'risk.unusual_hours',
        category: 'behaviour',
        entity: a.principal,
        score: share === 0 ? 0.4 : 0.3,
        explanation: `active ${DAY_NAMES[Math.floor(slot / 24)]} ${String(slot % 24).padStart(2, '0')}:00 UTC: ${(share * 100).toFixed(2)}% of this principal's ${b.hourTotal} events over ${fmtDays(a.t - b.firstSeen)} fall in this hour of day`,
        details: { hourUtc: slot % 24, share },
        sessionId: a.credentialId,
        requestId: a.requestId,
      });
    }
  }
  b.countHour(slot);
}

function valueOf(a: Activity, m: number): number {
  switch (m) {
    case 0:
      return a.requests;
    case 1:
      return a.bytes;
    case 2:
      return a.tokens;
    default:
      return a.downloads;
  }
}

/** Whose volume is judged: the principal (default), or the device it used against the device baseline. */
export interface VolumeScope {
  entity: EntityRef;
  /** How the explanation names the entity and its peers. */
  own: string;
  peers: string;
  /** Also run the hourly-series detector (principals only: it costs memory per entity). */
  series: boolean;
}

export function detectVolume(a: Activity, b: Baseline, g: GroupBaseline, learning: boolean, out: Finding[], scope?: VolumeScope): void {
  const hour = Math.floor(a.t / HOUR_MS);
  for (let m = 0; m < METRICS.length; m++) {
    const value = valueOf(a, m);
    if (value <= 0) continue;
    const metric = METRICS[m]!;
    const total = b.volume.add(m, hour, value);
    if (b.volume.closedHour >= 0) {
      g.volume.foldMetric(m, b.volume.closedLog);
      g.dirty = true;
      if (!scope || scope.series) hourClosed(a, b, g, m, b.volume.closedTotal, b.volume.closedHour, learning, out);
    }
    if (learning || total < MIN_ABSOLUTE[metric]) continue;
    const own = b.volume.stats(m);
    const peer = g.volume.stats(m);
    const sOwn = excess(total, own, 24);
    if (sOwn === 0) continue;
    const sPeer = excess(total, peer, 48);
    const score = sPeer > 0 ? Math.max(sOwn, sPeer) : sOwn * 0.6;
    if (score < 0.2) continue;
    b.surgeHour[m] = hour;
    out.push({
      detector: 'risk.volume',
      category: 'behaviour',
      entity: scope?.entity ?? a.principal,
      ...(scope ? { principal: a.principal } : {}),
      score,
      explanation: `${Math.round(total)} ${metric} this hour vs a typical active hour of ${Math.round(Math.expm1(own.mean))} for ${scope?.own ?? 'this principal'} (${own.n} hours) and ${Math.round(Math.expm1(peer.mean))} for ${scope?.peers ?? `its peer group \`${a.group}\``}`,
      details: { metric, total, expected: Math.round(Math.expm1(own.mean)), peerExpected: Math.round(Math.expm1(peer.mean)), hour, ...(scope ? { principal: a.key } : {}) },
      sessionId: a.credentialId,
      requestId: a.requestId,
    });
  }
}

/**
 * When an hour closes, its total goes to the metric's streaming series detector (seasonal baseline by
 * time of day, anomaly likelihood: src/risk/volume). It catches hours that were unusual for their time
 * of day without being a surge, after the fact; an hour the in-hour check already flagged is not repeated.
 */
function hourClosed(a: Activity, b: Baseline, g: GroupBaseline, m: number, total: number, closedHour: number, learning: boolean, out: Finding[]): void {
  const r = b.seriesDetector(m).update(total, closedHour * HOUR_MS);
  const metric = METRICS[m]!;
  if (learning || r.score < 0.4 || total < MIN_ABSOLUTE[metric] || b.surgeHour[m] === closedHour) return;
  // Unusual for the principal's own series is not enough: the hour must also stand out in its peer group.
  const peer = g.volume.stats(m);
  const sPeer = excess(total, peer, 48);
  if (sPeer === 0) return;
  out.push({
    detector: 'risk.volume',
    category: 'behaviour',
    entity: a.principal,
    score: Math.min(0.9, 0.25 + 0.25 * r.score + 0.4 * sPeer),
    explanation: `${metric} in the hour from ${new Date(closedHour * HOUR_MS).toISOString().slice(11, 16)} UTC: ${r.explanation}, against this principal's streaming hourly baseline; a typical active hour in peer group \`${a.group}\` is ${Math.round(Math.expm1(peer.mean))}`,
    details: { metric, total, expected: Math.round(r.expected), peerExpected: Math.round(Math.expm1(peer.mean)), hour: closedHour, basis: 'hourly-series' },
  });
}

/** MCP tools are resources of this type (src/mcp/decide.ts): one per server and tool. */
const TOOL_PREFIX = 'Warden::Tool:';

/**
 * First access to a resource that others in the organisation use, but no one in the peer group; for an
 * MCP tool, also the first call of a tool this principal never called once its baseline is learnt (an
 * agent reaching for a new tool is how a hijacked agent looks, whether or not its peers use the tool).
 */
export function detectPeerAccess(
  a: Activity,
  b: Baseline,
  g: GroupBaseline,
  known: Map<string, number>,
  learning: boolean,
  out: Finding[],
): void {
  const resource = a.resource;
  if (!resource || !a.success) return;
  if (!b.rememberResource(resource, a.t)) return;
  const peers = g.resources.get(resource) ?? 0;
  const users = known.get(resource) ?? 0;
  const peerNovel = !learning && peers === 0 && users > 0 && g.members.size >= 3;
  if (!learning && !peerNovel && resource.startsWith(TOOL_PREFIX)) {
    const tool = resource.slice(TOOL_PREFIX.length);
    out.push({
      detector: 'risk.tool_first_use',
      category: 'behaviour',
      entity: a.principal,
      score: 0.35,
      explanation: `first call of MCP tool \`${tool}\` by this principal after ${fmtDays(a.t - b.firstSeen)} of activity without it (${peers} of the ${g.members.size} members of peer group \`${a.group}\` use it)`,
      details: { resource, tool, peerGroup: a.group, peersUsing: peers },
      sessionId: a.credentialId,
      requestId: a.requestId,
    });
  }
  if (peerNovel) {
    out.push({
      detector: 'risk.peer_first_access',
      category: 'behaviour',
      entity: a.principal,
      score: a.write ? 0.7 : 0.5,
      explanation: `first ${a.write ? 'write to' : 'access to'} \`${resource}\`: none of the ${g.members.size} members of peer group \`${a.group}\` use it (${users} principals elsewhere do)`,
      details: { resource, action: a.action, peerGroup: a.group, peers: g.members.size },
      sessionId: a.credentialId,
      requestId: a.requestId,
    });
  }
  g.resources.set(resource, peers + 1);
  g.dirty = true;
  known.set(resource, users + 1);
}
