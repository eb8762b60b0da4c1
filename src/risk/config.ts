/**
 * The `risk:` section of Warden's configuration. Every value has a default, so Warden starts without a
 * config file.
 *
 * @example
 * const config = riskConfigSchema.parse({ thresholds: { stepUp: 40 } });
 */
import { z } from 'zod';

const hourSchema = z.number().int().min(0).max(24);

/** A weekly change window in UTC: days 0 (Sunday) .. 6 and an hour range [from, to). */
export const changeWindowSchema = z.object({
  days: z.array(z.number().int().min(0).max(6)).min(1).default([1, 2, 3, 4, 5]),
  fromHour: hourSchema.default(8),
  toHour: hourSchema.default(18),
});

export const riskConfigSchema = z.object({
  enabled: z.boolean().default(true),
  thresholds: z
    .object({
      /** Score at or above which policies should ask for stronger authentication. */
      stepUp: z.number().int().min(1).max(100).default(50),
      /** Score at or above which policies should deny. */
      deny: z.number().int().min(1).max(100).default(80),
    })
    .default({ stepUp: 50, deny: 80 }),
  /** Days an entity is observed before its baseline-based detections count. */
  learningDays: z.number().min(0).max(365).default(7),
  /** Events an entity must have produced before its baseline-based detections count. */
  learningMinEvents: z.number().int().min(0).default(20),
  /** Half-life of a detection's contribution to the risk score. */
  decayHalfLifeMinutes: z.number().positive().default(240),
  /** A factor whose decayed weight falls below this is dropped. */
  minFactorWeight: z.number().min(0).default(1),
  geo: z
    .object({
      enabled: z.boolean().default(true),
      /** MaxMind-format city databases; default: the bundled DB-IP Lite City (CC-BY-4.0). */
      ipv4Database: z.string().optional(),
      ipv6Database: z.string().optional(),
      /** Accuracy radius assumed when the database gives none (DB-IP Lite gives none). */
      defaultAccuracyKm: z.number().min(0).default(100),
      /** Fastest plausible travel, km/h (airliner plus slack). */
      maxSpeedKmh: z.number().positive().default(1000),
      /** Extra CIDRs whose location must count as unknown (anycast, VPN egress, proxies). */
      unknownCidrs: z.array(z.string()).default([]),
    })
    .default({ enabled: true, defaultAccuracyKm: 100, maxSpeedKmh: 1000, unknownCidrs: [] }),
  spray: z
    .object({
      windowMinutes: z.number().positive().default(60),
      /** Distinct principals failing from one source within the window. */
      minPrincipals: z.number().int().min(2).default(8),
    })
    .default({ windowMinutes: 60, minPrincipals: 8 }),
  /** Credential attacks in authentication logs (src/risk/detectors/credentials.ts). */
  bruteForce: z
    .object({
      windowMinutes: z.number().positive().default(60),
      /** Fewest failures in the window that count, whatever the account's or source's own rate. */
      minFailures: z.number().int().min(2).default(10),
      /** Distinct non-existent user names from one source within the window. */
      enumerationMinUsers: z.number().int().min(2).default(5),
      /** How far back failures count before a success. */
      successLookbackMinutes: z.number().positive().default(1440),
      /** Fewest failures before a success that count. */
      successMinFailures: z.number().int().min(1).default(5),
      /** How long a source flagged for brute force, enumeration or spraying stays suspect. */
      attackerMemoryDays: z.number().positive().default(7),
    })
    .default({ windowMinutes: 60, minFailures: 10, enumerationMinUsers: 5, successLookbackMinutes: 1440, successMinFailures: 5, attackerMemoryDays: 7 }),
  /** Account lifecycle and privilege changes (src/risk/detectors/accounts.ts). */
  accounts: z
    .object({
      /** Account or privilege changes after which a principal's further changes are routine. */
      routineChanges: z.number().int().min(0).default(3),
      /** A created account's first use within this many days is reported. */
      newAccountDays: z.number().positive().default(7),
      /** Silence after which a success wakes a dormant account. */
      dormantDays: z.number().positive().default(21),
      /** Events a principal must have had before its silence counts as dormancy. */
      dormantMinEvents: z.number().int().min(1).default(10),
    })
    .default({ routineChanges: 3, newAccountDays: 7, dormantDays: 21, dormantMinEvents: 10 }),
  token: z
    .object({
      /** Two devices or networks using one token or session within this window is an anomaly. */
      windowMinutes: z.number().positive().default(720),
    })
    .default({ windowMinutes: 720 }),
  guard: z
    .object({
      windowMinutes: z.number().positive().default(60),
      /** Guard detections for one principal within the window that make a campaign. */
      minDetections: z.number().int().min(1).default(3),
    })
    .default({ windowMinutes: 60, minDetections: 3 }),
  /** Change windows for writes to models and datasets; empty = learn the asset's usual write hours. */
  changeWindows: z.array(changeWindowSchema).default([]),
  /** Resource types treated as AI assets (writes are watched for tampering). */
  assetTypes: z.array(z.string()).default(['Dataset', 'Model', 'S3Object']),
  /** Risk points (0..100) a detection adds at full confidence, per detector. */
  weights: z.record(z.string(), z.number().min(0).max(100)).default({}),
  /** The durable inbox of imported events (src/risk/inbox.ts). */
  inbox: z
    .object({
      /** How often the consuming engine looks for new events (0 = only when asked). */
      pollMilliseconds: z.number().int().min(0).default(1000),
      /** How long a consumer's lease lasts without renewal (a crashed Warden's lease expires after it). */
      leaseSeconds: z.number().int().min(2).default(15),
      /** Events processed between lease renewals. */
      batch: z.number().int().min(1).max(100_000).default(5000),
    })
    .default({ pollMilliseconds: 1000, leaseSeconds: 15, batch: 5000 }),
  /** Seconds between background saves of baselines (0 = only on flush/close). */
  persistIntervalSeconds: z.number().int().min(0).default(60),
  /** Most entities kept in memory; the least recently seen are evicted (after saving). */
  maxEntities: z.number().int().positive().default(200_000),
});

export type RiskConfig = z.infer<typeof riskConfigSchema>;
/** What `riskConfigSchema` accepts: every field optional. */
export type RiskConfigInput = z.input<typeof riskConfigSchema>;

/** Default risk points per detector (overridden by `weights`). */
export const DEFAULT_WEIGHTS: Readonly<Record<string, number>> = {
  'risk.impossible_travel': 60,
  'risk.atypical_travel': 30,
  'risk.unfamiliar_sign_in': 45,
  'risk.unusual_hours': 25,
  'risk.volume': 55,
  'risk.peer_first_access': 30,
  'risk.tool_first_use': 20,
  'risk.password_spray': 40,
  'risk.spray_success': 70,
  'risk.token_reuse': 70,
  'risk.asset_tamper': 60,
  'risk.guard_campaign': 65,
  'risk.brute_force': 40,
  'risk.source_brute_force': 40,
  'risk.user_enumeration': 30,
  'risk.success_after_failures': 70,
  'risk.attacker_success': 80,
  'risk.privilege_change': 50,
  'risk.new_account_use': 45,
  'risk.dormant_account': 40,
  guard: 15,
  other: 20,
};
