/**
 * The step-up module's persistence (storage convention, issue 12): factors, recovery codes, enrolment
 * links, step-up challenges, pending WebAuthn ceremonies and API-key elevations. Two implementations, SQLite and PostgreSQL, pass the
 * same conformance suite. Every operation that decides a race (a code used once, a link used once, a
 * challenge completed once) is a single conditional write, so two instances cannot both win it.
 */

export type FactorKind = 'totp' | 'webauthn';

export interface FactorRecord {
  id: string;
  principal: string;
  kind: FactorKind;
  label: string;
  createdAt: string;
  /** Set once the principal proved the factor works (a TOTP code, a registration ceremony). */
  confirmedAt: string | null;
  /** TOTP: the sealed seed and its KEK id. */
  secret?: { kekId: string; sealed: Buffer };
  /** TOTP: the last step accepted (a code for it or an earlier step is a replay). */
  lastStep?: number | null;
  /** WebAuthn: credential id (base64url), public key (COSE), signature counter, transports. */
  webauthn?: { credentialId: string; publicKey: Buffer; counter: number; transports: string[] };
}

export interface EnrolLinkRecord {
  /** SHA-256 of the link's secret, hex: the secret itself is never stored. */
  hash: string;
  principal: string;
  createdBy: string;
  createdAt: string;
  expiresAt: string;
  usedAt: string | null;
}

export interface ChallengeRecord {
  /** The decision id the 401 named. */
  id: string;
  principal: string;
  principalKind: string;
  /** The API key the refused request used: completing the challenge elevates it. */
  apiKeyId: string | null;
  createdAt: string;
  expiresAt: string;
  completedAt: string | null;
  /** RFC 8176 methods of the factor that completed it. */
  amr: string[];
  /** Set once its session token was issued: a challenge yields one token. */
  redeemedAt: string | null;
  /**
   * SHA-256 (hex) of the secret in the challenge's URL, which only the 401 carried: attempts without it
   * are refused before they count against the person's lock-out (null: attempts only from the CLI).
   */
  secretHash: string | null;
}

export type CeremonyKind = 'registration' | 'authentication';

/** A WebAuthn ceremony between its options and the browser's response: the challenge it must sign. */
export interface CeremonyRecord {
  /** Random and unguessable; only ever accepted together with the principal it was started for. */
  id: string;
  principal: string;
  kind: CeremonyKind;
  /** The options' challenge (base64url) the response must carry. */
  challenge: string;
  createdAt: string;
  expiresAt: string;
}

export interface ElevationRecord {
  apiKeyId: string;
  principal: string;
  amr: string[];
  authTime: string;
  expiresAt: string;
}

export interface MfaRepository {
  addFactor(factor: FactorRecord): Promise<void>;
  getFactor(id: string): Promise<FactorRecord | undefined>;
  /** Every factor of the principal, confirmed or not. */
  listFactors(principal: string): Promise<FactorRecord[]>;
  findWebauthnFactor(credentialId: string): Promise<FactorRecord | undefined>;
  confirmFactor(id: string, at: string): Promise<boolean>;
  deleteFactor(id: string): Promise<boolean>;
  /** Records `step` as used when it is later than the last used one; false means a replay. */
  useTotpStep(id: string, step: number): Promise<boolean>;
  /** Stores the new signature counter when it grew (or both are zero: authenticators without one). */
  useWebauthnCounter(id: string, counter: number): Promise<boolean>;

  /** Replaces the principal's recovery codes (their hashes). */
  setRecoveryCodes(principal: string, hashes: string[], at: string): Promise<void>;
  /** Marks one unused code as used; false when it is unknown or used. */
  useRecoveryCode(principal: string, hash: string, at: string): Promise<boolean>;
  countRecoveryCodes(principal: string): Promise<number>;

  addEnrolLink(link: EnrolLinkRecord): Promise<void>;
  /** Uses the link once, if unexpired: the principal it was for, else undefined. */
  useEnrolLink(hash: string, at: string): Promise<string | undefined>;

  addChallenge(challenge: ChallengeRecord): Promise<void>;
  getChallenge(id: string): Promise<ChallengeRecord | undefined>;
  /** Completes an open, unexpired challenge once; false otherwise. */
  completeChallenge(id: string, amr: string[], at: string): Promise<boolean>;
  /** Marks a completed challenge's token as issued once; false when already issued. */
  redeemChallenge(id: string, at: string): Promise<boolean>;

  /**
   * Stores a pending ceremony. Every expired ceremony is purged first, then, past `maxPerPrincipal`
   * pending ones, the principal's oldest are dropped: nobody can fill the table.
   */
  addCeremony(ceremony: CeremonyRecord, maxPerPrincipal: number): Promise<void>;
  /**
   * Removes the ceremony with this id, principal and kind and returns it when it is unexpired at `at`;
   * undefined otherwise (an expired one is removed all the same). One atomic delete: of two concurrent
   * takes, one gets it. Another principal's or kind's take leaves it in place.
   */
  takeCeremony(id: string, principal: string, kind: CeremonyKind, at: string): Promise<CeremonyRecord | undefined>;

  addElevation(elevation: ElevationRecord): Promise<void>;
  /** Elevations still in force at `at` (loaded into memory at start and after each change). */
  activeElevations(at: string): Promise<ElevationRecord[]>;
}
