/**
 * The Shared Signals repository: replay protection for received SETs, what received signals say about
 * principals, device keys and posture, and the transmitter's outbox. SQLite and PostgreSQL implement it
 * with the same semantics (test/signals/repository.test.ts); every race is one conditional write.
 */

/** What the identity providers' signals say about one principal, as the gateway applies it. */
export interface PrincipalSignalState {
  principal: string;
  /** ISO time: credentials issued at or before it are refused (session-revoked, credential-change, compromise). */
  revokedBefore: string | null;
  /** ISO time the account was disabled (RISC account-disabled); null when enabled. */
  disabledAt: string | null;
  /** The assurance level last reported (CAEP assurance-level-change), and when. */
  assurance: { namespace: string; level: string; at: string } | null;
  updatedAt: string;
}

export interface DeviceKeyRecord {
  device: string;
  /** The device's public key as a JWK (JSON text). */
  jwk: string;
  /** The only principal the device is accepted for, when bound. */
  owner: string | null;
  createdBy: string;
  createdAt: string;
}

/** Posture facts; absent ones are not stated by the source. */
export interface PostureFacts {
  managed?: boolean;
  compliant?: boolean;
  osPatched?: boolean;
  diskEncrypted?: boolean;
  platform?: string;
}

export interface DevicePostureRecord {
  device: string;
  /** Where the facts came from: `report` (signed by the device key), `webhook:<name>`, `ssf:<issuer>`. */
  source: string;
  facts: PostureFacts;
  /** When the source observed them (the report's `iat`, the webhook's time, the event's time). */
  observedAt: string;
  receivedAt: string;
}

export type OutboxStatus = 'pending' | 'delivered' | 'dead';

export interface OutboxRecord {
  id: string;
  receiver: string;
  /** The short event name (`session-revoked`), for listing. */
  event: string;
  /** The signed SET, sent as is on every attempt (so its `jti` is stable across retries). */
  set: string;
  status: OutboxStatus;
  attempts: number;
  nextAttemptAt: string;
  lastError: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface SignalsRepository {
  /** Records a SET's `jti` for its issuer; false when it was seen before (a replay). */
  useJti(issuer: string, jti: string, expiresAt: string): Promise<boolean>;
  /** Forgets one `jti`: its SET was verified but its effect could not be stored, so the transmitter's retry must pass. */
  releaseJti(issuer: string, jti: string): Promise<void>;
  /** Forgets `jti`s whose replay window ended before `now`; returns how many. */
  pruneJtis(now: string): Promise<number>;

  /** Refuses credentials issued at or before `before` (the later of the stored and the given time wins). */
  revokeSessions(principal: string, before: string, at: string): Promise<void>;
  setDisabled(principal: string, disabledAt: string | null, at: string): Promise<void>;
  setAssurance(principal: string, assurance: PrincipalSignalState['assurance'], at: string): Promise<void>;
  listPrincipalStates(): Promise<PrincipalSignalState[]>;

  putDeviceKey(record: DeviceKeyRecord): Promise<void>;
  getDeviceKey(device: string): Promise<DeviceKeyRecord | undefined>;
  listDeviceKeys(): Promise<DeviceKeyRecord[]>;
  deleteDeviceKey(device: string): Promise<boolean>;

  /** Stores a source's posture for a device unless the stored one was observed later; true when stored. */
  savePosture(record: DevicePostureRecord): Promise<boolean>;
  listPosture(): Promise<DevicePostureRecord[]>;

  enqueue(record: OutboxRecord): Promise<void>;
  /** Pending messages due by `now`, oldest first. */
  dueOutbox(now: string, limit: number): Promise<OutboxRecord[]>;
  updateOutbox(record: OutboxRecord): Promise<void>;
  listOutbox(filter: { status?: OutboxStatus; limit?: number }): Promise<OutboxRecord[]>;
}
