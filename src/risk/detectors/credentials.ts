/**
 * Credential attacks seen in authentication logs, keyed by source and by account:
 * - `risk.brute_force`: many failed passwords against one account within the window, above what that
 *   account's own failure rate predicts (an internet-facing `root` that is guessed at all day has a
 *   high baseline, so only a burst well above it counts);
 * - `risk.source_brute_force`: a source failing many times within the window, above its own rate;
 * - `risk.user_enumeration`: a source trying many user names that do not exist;
 * - `risk.success_after_failures`: a success after a run of failures on the same account (likely
 *   compromise: high);
 * - `risk.attacker_success`: a success, for any account, from a source that was flagged for brute
 *   force, enumeration or spraying (critical).
 *
 * Windows and rate state live in memory (bounded); an account's failure count is part of its persisted
 * baseline.
 */
import type { EntityRef } from '../../core/index.js';
import type { RiskConfig } from '../config.js';
import type { Finding } from '../types.js';
import { HOUR_MS } from './context.js';

/** One authentication attempt, with or without a known account (old PAM lines name none). */
export interface Attempt {
  t: number;
  success: boolean;
  /** `Type:id` of the account tried, when named. */
  key?: string | undefined;
  principal?: EntityRef | undefined;
  /** IP address, else the host name the log gave. */
  source?: string | undefined;
  reason?: string | undefined;
  /** The account's failures before this attempt and when its baseline began (persisted per principal). */
  account?: { failures: number; firstSeen: number } | undefined;
}

/** Items in time order within a sliding window; O(1) amortised push and trim (no shifting). */
class Window<T extends { t: number }> {
  private items: T[] = [];
  private head = 0;

  get size(): number {
    return this.items.length - this.head;
  }

  push(item: T): void {
    this.items.push(item);
  }

  /** Drops items at or before `from` (windows are half-open: (now - span, now]), telling `dropped` about each. */
  trim(from: number, dropped?: (item: T) => void): number {
    let n = 0;
    while (this.head < this.items.length && this.items[this.head]!.t <= from) {
      const item = this.items[this.head]!;
      this.head++;
      n++;
      if (dropped) dropped(item);
    }
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return n;
  }

  clear(): void {
    this.items = [];
    this.head = 0;
  }

  values(): T[] {
    return this.items.slice(this.head);
  }
}

interface Guess {
  t: number;
  user: string | undefined;
  unknown: boolean;
}

interface SourceState {
  firstSeen: number;
  /** Failures before the current window (for the source's own rate). */
  failuresBefore: number;
  recent: Window<Guess>;
  /** Non-existent user names tried within the window, with how often. */
  unknownNames: Map<string, number>;
  reported: Map<string, { level: string; t: number }>;
}

interface AccountWindow {
  /** Failures within the success lookback (a day by default). */
  day: Window<{ t: number; source: string | undefined }>;
  /** Failures within the brute-force window. */
  hour: Window<{ t: number }>;
  reported: Map<string, { level: string; t: number }>;
}

const MAX_SOURCES = 100_000;
const MAX_ACCOUNTS = 100_000;
const MAX_RECENT = 5_000;
/** Failure reasons that are guesses (a rejected public key is a client offering its keys in turn). */
const GUESS = new Set(['invalid_credentials', 'unknown_user', 'not_allowed', 'locked_out']);

export function sourceEntity(source: string): EntityRef {
  return { type: /^[\d.]+$|:/.test(source) ? 'SourceIp' : 'SourceHost', id: source };
}

/**
 * Failures a rate predicts for one window, and the count above which the window is unusual. The rate is
 * averaged over at least a day: a short history (a burst an hour ago) must not read as a high usual rate.
 */
function threshold(failures: number, sinceMs: number, windowMs: number, floor: number): { expected: number; limit: number } {
  const hours = Math.max(24, sinceMs / HOUR_MS);
  const expected = (failures / hours) * (windowMs / HOUR_MS);
  return { expected, limit: Math.max(floor, Math.ceil(expected + 5 * Math.sqrt(expected) + 3)) };
}

const fmtRate = (expected: number, windowMin: number): string => `${expected < 0.1 ? expected.toFixed(2) : expected.toFixed(1)} per ${windowMin} min`;

export class CredentialDetectors {
  private readonly sources = new Map<string, SourceState>();
  private readonly accounts = new Map<string, AccountWindow>();
  /** Sources flagged as attackers, with when and why. */
  private readonly attackers = new Map<string, { t: number; why: string }>();

  constructor(private readonly config: RiskConfig) {}

  /** Marks a source as an attacker (also called for password-spray findings). */
  flag(source: string, t: number, why: string): void {
    if (this.attackers.size >= MAX_SOURCES) this.attackers.delete(this.attackers.keys().next().value as string);
    this.attackers.set(source, { t, why });
  }

  observe(a: Attempt, out: Finding[]): void {
    if (a.success) this.success(a, out);
    else if (a.reason === undefined || GUESS.has(a.reason)) this.failure(a, out);
  }

  private failure(a: Attempt, out: Finding[]): void {
    const c = this.config.bruteForce;
    const windowMs = c.windowMinutes * 60_000;
    const unknown = a.reason === 'unknown_user';
    if (a.source) {
      const s = this.source(a.source, a.t);
      s.failuresBefore += s.recent.trim(a.t - windowMs, (g) => {
        if (!g.unknown || g.user === undefined) return;
        const left = (s.unknownNames.get(g.user) ?? 1) - 1;
        if (left > 0) s.unknownNames.set(g.user, left);
        else s.unknownNames.delete(g.user);
      });
      if (s.recent.size < MAX_RECENT) {
        s.recent.push({ t: a.t, user: a.principal?.id, unknown });
        if (unknown && a.principal) s.unknownNames.set(a.principal.id, (s.unknownNames.get(a.principal.id) ?? 0) + 1);
      }
      const { expected, limit } = threshold(s.failuresBefore, a.t - s.firstSeen, windowMs, c.minFailures);
      const n = s.recent.size;
      if (n >= limit && due(s.reported, 'brute', level(n, limit), a.t)) {
        const users = s.recent.values().map((r) => r.user);
        const accounts = distinct(users);
        const since = a.t - s.firstSeen;
        this.flag(a.source, a.t, 'brute force');
        out.push({
          detector: 'risk.source_brute_force',
          category: 'identity',
          entity: sourceEntity(a.source),
          score: Math.min(0.9, 0.5 + 0.1 * Math.log2(n / limit + 1)),
          explanation: `${n} failed sign-ins from \`${a.source}\` within ${c.windowMinutes} min against ${accounts.size} named account${accounts.size === 1 ? '' : 's'} (${topList(users)}); ${since < windowMs ? `a source first seen ${fmtHours(since)} ago has no baseline yet: the floor of ${limit} applies` : `its own baseline over ${fmtHours(since)} predicts ${fmtRate(expected, c.windowMinutes)} (threshold ${limit})`}`,
          details: { failures: n, expected: round(expected), threshold: limit, accounts: [...accounts].slice(0, 20), window: c.windowMinutes },
          discriminator: level(n, limit),
        });
      }
      const names = s.unknownNames.size;
      if (unknown && names >= c.enumerationMinUsers && due(s.reported, 'names', level(names, c.enumerationMinUsers), a.t)) {
        this.flag(a.source, a.t, 'user enumeration');
        const list = [...s.unknownNames.keys()];
        out.push({
          detector: 'risk.user_enumeration',
          category: 'identity',
          entity: sourceEntity(a.source),
          score: Math.min(0.85, 0.45 + (0.05 * names) / c.enumerationMinUsers),
          explanation: `\`${a.source}\` tried ${names} user names that do not exist within ${c.windowMinutes} min (${list.slice(0, 8).map((u) => `\`${u}\``).join(', ')}); a legitimate source mistypes one or two (threshold ${c.enumerationMinUsers})`,
          details: { users: list.slice(0, 30), window: c.windowMinutes },
          discriminator: level(names, c.enumerationMinUsers),
        });
      }
    }
    if (!a.key || unknown || !a.principal) return;
    const w = this.account(a.key);
    w.day.trim(a.t - c.successLookbackMinutes * 60_000);
    w.hour.trim(a.t - windowMs);
    if (w.day.size < MAX_RECENT) w.day.push({ t: a.t, source: a.source });
    w.hour.push({ t: a.t });
    const inWindow = w.hour.size;
    const before = Math.max(0, (a.account?.failures ?? 0) - inWindow);
    const { expected, limit } = threshold(before, a.t - (a.account?.firstSeen ?? a.t), windowMs, c.minFailures);
    if (inWindow >= limit && due(w.reported, 'brute', level(inWindow, limit), a.t)) {
      const sources = w.day.values().filter((r) => r.t >= a.t - windowMs).map((r) => r.source);
      out.push({
        detector: 'risk.brute_force',
        category: 'identity',
        entity: a.principal,
        score: Math.min(0.85, 0.5 + 0.1 * Math.log2(inWindow / limit + 1)),
        explanation: `${inWindow} failed passwords for \`${a.principal.id}\` within ${c.windowMinutes} min from ${distinct(sources).size} source(s) (${topList(sources)}); this account's own baseline predicts ${fmtRate(expected, c.windowMinutes)} (threshold ${limit})`,
        details: { failures: inWindow, expected: round(expected), threshold: limit, sources: [...distinct(sources)].slice(0, 20), window: c.windowMinutes },
        discriminator: level(inWindow, limit),
      });
    }
  }

  private success(a: Attempt, out: Finding[]): void {
    const c = this.config.bruteForce;
    if (a.source) {
      const flagged = this.attackers.get(a.source);
      if (flagged && a.t - flagged.t <= c.attackerMemoryDays * 24 * HOUR_MS && a.principal) {
        out.push({
          detector: 'risk.attacker_success',
          category: 'identity',
          entity: a.principal,
          score: 0.95,
          explanation: `successful sign-in as \`${a.principal.id}\` from \`${a.source}\`, a source flagged for ${flagged.why} ${fmtHours(a.t - flagged.t)} earlier: a credential it guessed or stole likely works`,
          details: { sourceIp: a.source, flaggedFor: flagged.why, flaggedAt: new Date(flagged.t).toISOString() },
        });
      }
    }
    if (!a.key || !a.principal) return;
    const w = this.accounts.get(a.key);
    if (!w) return;
    w.day.trim(a.t - c.successLookbackMinutes * 60_000);
    const n = w.day.size;
    const before = Math.max(0, (a.account?.failures ?? 0) - n);
    const { expected, limit } = threshold(before, a.t - (a.account?.firstSeen ?? a.t), c.successLookbackMinutes * 60_000, c.successMinFailures);
    if (n >= limit) {
      const fromHere = a.source ? w.day.values().filter((r) => r.source === a.source).length : 0;
      out.push({
        detector: 'risk.success_after_failures',
        category: 'identity',
        entity: a.principal,
        score: Math.min(0.85, 0.75 + (fromHere > 0 ? 0.05 : 0) + (n >= 4 * limit ? 0.05 : 0)), // high; an attacker's success is critical
        explanation: `successful sign-in as \`${a.principal.id}\`${a.source ? ` from \`${a.source}\`` : ''} after ${n} failed attempts on this account within ${c.successLookbackMinutes} min (${fromHere} from the same source); this account's own baseline predicts ${expected.toFixed(1)} (threshold ${limit}): likely a guessed password`,
        details: { sourceIp: a.source, failures: n, fromSameSource: fromHere, expected: round(expected), threshold: limit },
      });
    }
    // The run ends with the success.
    w.day.clear();
    w.hour.clear();
  }

  private source(key: string, t: number): SourceState {
    let s = this.sources.get(key);
    if (!s) {
      if (this.sources.size >= MAX_SOURCES) this.sources.delete(this.sources.keys().next().value as string);
      this.sources.set(key, (s = { firstSeen: t, failuresBefore: 0, recent: new Window<Guess>(), unknownNames: new Map(), reported: new Map() }));
    }
    return s;
  }

  private account(key: string): AccountWindow {
    let w = this.accounts.get(key);
    if (!w) {
      if (this.accounts.size >= MAX_ACCOUNTS) this.accounts.delete(this.accounts.keys().next().value as string);
      this.accounts.set(key, (w = { day: new Window(), hour: new Window(), reported: new Map() }));
    }
    return w;
  }
}

/**
 * Whether a finding at this escalation level is worth building: a new level, or an hour since the last
 * one (the engine suppresses repeats within the hour; building them would cost for nothing).
 */
function due(reported: Map<string, { level: string; t: number }>, kind: string, lvl: string, t: number): boolean {
  const last = reported.get(kind);
  if (last && last.level === lvl && t - last.t < HOUR_MS && t >= last.t) return false;
  reported.set(kind, { level: lvl, t });
  return true;
}

function distinct(values: (string | undefined)[]): Set<string> {
  const s = new Set<string>();
  for (const v of values) if (v !== undefined) s.add(v);
  return s;
}

function topList(values: (string | undefined)[]): string {
  const counts = new Map<string, number>();
  for (const v of values) counts.set(v ?? '(unnamed)', (counts.get(v ?? '(unnamed)') ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1]).slice(0, 3).map(([k, n]) => `\`${k}\` ${n}`).join(', ');
}

function fmtHours(ms: number): string {
  const h = ms / HOUR_MS;
  return h >= 48 ? `${Math.round(h / 24)} days` : h >= 1 ? `${Math.round(h)} h` : `${Math.max(1, Math.round(ms / 60_000))} min`;
}

/** Escalation level: a further finding each time the count doubles past the threshold (10, 20, 40, ...). */
function level(n: number, limit: number): string {
  return `x${Math.floor(Math.log2(n / limit))}`;
}

const round = (x: number): number => Math.round(x * 100) / 100;
