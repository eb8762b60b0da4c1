/** Types shared by every module: who asks, from what, for what, and what was decided. */

export type PrincipalKind = 'User' | 'Service' | 'Agent';

export interface EntityRef {
  type: string;
  id: string;
}

export interface Principal {
  kind: PrincipalKind;
  id: string;
  /** Cedar entity attributes (e.g. department, clearance). */
  attributes: Record<string, unknown>;
  /** Group ids; become Cedar parents `Warden::Group::"<id>"`. */
  groups: string[];
  /** Roles such as `admin`; also exposed to policies. */
  roles: string[];
}

/** `session`: a Warden session token issued by a completed step-up (bound to a DPoP key or certificate). */
export type AuthMethod = 'jwt' | 'apikey' | 'mtls' | 'session' | 'none';

export interface Authentication {
  method: AuthMethod;
  /** 1 = single factor, 2 = multi-factor (e.g. JWT `amr` contains `mfa`/`otp`/`hwk`), 3 = hardware-bound (mTLS). */
  strength: number;
  mfa: boolean;
  /** Seconds since the user authenticated (JWT `auth_time`), when known. */
  ageSeconds?: number;
  /** When the credential was issued (JWT `iat`, epoch seconds), when known: a revocation refuses older ones. */
  issuedAt?: number;
  /** The assurance level the identity provider last reported for the session (CAEP assurance-level-change). */
  assurance?: string;
  /** Identifier of the credential (key id, token `jti`, certificate fingerprint): never the secret itself. */
  credentialId?: string;
  scopes: string[];
}

/** An AI agent acting for a user carries both identities. */
export interface Delegation {
  actor: Principal;
  onBehalfOf: Principal;
}

/** How a device was proven: an enrolled client certificate, a trusted issuer's token claim, a trusted proxy's header. */
export type DeviceProof = 'certificate' | 'token' | 'proxy';

export interface Device {
  id: string;
  proof?: DeviceProof;
  /** The configured owner, when the device is bound to one principal. */
  owner?: string;
  managed?: boolean;
  compliant?: boolean;
  osPatched?: boolean;
  diskEncrypted?: boolean;
  platform?: string;
  /** Where each posture fact came from: `config`, `report` (signed by the device key), `webhook:<name>`, `ssf:<issuer>`, `stale:<source>`. */
  sources?: Partial<Record<PostureFact, string>>;
}

/** The posture facts policies see in `context.device`, each with its source. */
export type PostureFact = 'managed' | 'compliant' | 'osPatched' | 'diskEncrypted';

export interface Identity {
  principal: Principal;
  authentication: Authentication;
  delegation?: Delegation;
  device?: Device;
  /** Roles held just in time through approved access requests (src/access), already in `principal.roles`. */
  elevations?: RoleGrant[];
}

/** A role held for a window through an approved access request. */
export interface RoleGrant {
  role: string;
  requestId: string;
  /** ISO time the window ends. */
  until: string;
}

export interface ResourceRef extends EntityRef {
  attributes: Record<string, unknown>;
}

export type DecisionOutcome = 'allow' | 'deny' | 'step_up';

export interface DecisionReason {
  policyId: string;
  message: string;
}

export interface RiskSnapshot {
  score: number;
  factors: { name: string; weight: number; detail?: string }[];
}

export interface Obligation {
  type: string;
  [key: string]: unknown;
}

export interface Decision {
  decision: DecisionOutcome;
  decisionId: string;
  reasons: DecisionReason[];
  risk: RiskSnapshot;
  obligations: Obligation[];
  /** Policies skipped because their evaluation errored (Cedar semantics). */
  diagnostics?: { errors: { policyId: string; message: string }[] };
}
