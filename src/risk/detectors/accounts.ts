/**
 * Account lifecycle and privilege, from host, directory and cloud logs:
 * - `risk.privilege_change`: an account created, granted admin rights (sudo/wheel/Administrators group,
 *   sudoers edit, an admin policy attached) or stripped of MFA by a principal for whom such changes are
 *   not routine (few before), or at an hour outside its own pattern, or to an account created minutes
 *   earlier;
 * - `risk.new_account_use`: an account created recently signs in or acts for the first time (more when
 *   it was created or granted rights outside the pattern);
 * - `risk.dormant_account`: a principal succeeds after a long silence.
 */
import type { EntityRef } from '../../core/index.js';
import type { Baseline } from '../baseline/principal.js';
import type { RiskConfig } from '../config.js';
import type { Activity, Finding } from '../types.js';
import { DAY_MS, fmtDays, hourOfWeek, HOUR_MS } from './context.js';

export type ChangeKind = 'create' | 'grant' | 'mfa_removed' | 'credential' | 'modify';

export interface AccountChange {
  kind: ChangeKind;
  /** True when the change gives administrative power (admin group, sudoers, admin policy). */
  privileged: boolean;
  /** The account the change is about, `Type:id`. */
  target?: string | undefined;
  /** Group, policy or file named by the change. */
  object: string;
}

const ADMIN_GROUP = /(?:^|\/)(sudo|wheel|admin|admins|adm|root|docker|lxd|administrators|domain admins|enterprise admins|schema admins|account operators|backup operators|server operators)$/i;
const ADMIN_POLICY = /AdministratorAccess|IAMFullAccess|PowerUserAccess|:policy\/\*$|admin/i;

/** Classifies an access by its action name; `undefined` for everything that is not an account change. */
export function accountChangeOf(a: Activity, target: EntityRef | undefined): AccountChange | undefined {
  const action = a.action;
  if (!action || !a.success) return undefined;
  const object = a.resource ?? '';
  const t = target ? `${target.type}:${target.id}` : undefined;
  switch (action) {
    case 'host:useradd':
    case 'windows:account_created':
    case 'iam:CreateUser':
      return { kind: 'create', privileged: false, target: t, object };
    case 'host:group_add':
    case 'windows:group_member_added':
    case 'iam:AddUserToGroup':
    case 'okta:group.user_membership.add':
      return { kind: 'grant', privileged: ADMIN_GROUP.test(object.slice(object.indexOf(':') + 1)) || /admin/i.test(object), target: t, object };
    case 'host:sudoers_edit':
      return { kind: 'grant', privileged: true, target: t, object: 'sudoers' };
    case 'entra:Add member to role':
    case 'okta:user.account.privilege.grant':
      return { kind: 'grant', privileged: true, target: t, object };
    case 'iam:AttachUserPolicy':
    case 'iam:AttachRolePolicy':
    case 'iam:AttachGroupPolicy':
    case 'iam:PutUserPolicy':
    case 'iam:PutRolePolicy':
    case 'iam:PutGroupPolicy':
      return { kind: 'grant', privileged: ADMIN_POLICY.test(object), target: t, object };
    case 'iam:DeactivateMFADevice':
    case 'iam:DeleteVirtualMFADevice':
    case 'okta:user.mfa.factor.deactivate':
      return { kind: 'mfa_removed', privileged: true, target: t, object };
    case 'iam:CreateAccessKey':
    case 'iam:CreateLoginProfile':
    case 'iam:UpdateLoginProfile':
      return { kind: 'credential', privileged: false, target: t, object };
    default:
      return undefined;
  }
}

interface Created {
  t: number;
  by: string;
  /** The creation itself looked out of pattern (carried into the first use). */
  unusual: boolean;
  grants: string[];
}

const MAX_CREATED = 50_000;

export class AccountDetectors {
  private readonly created = new Map<string, Created>();

  constructor(private readonly config: RiskConfig) {}

  /** An account change by `a.principal` (the actor), judged against the actor's own baseline `b`. */
  change(a: Activity, b: Baseline, change: AccountChange, out: Finding[]): void {
    const reasons: string[] = [];
    let score = 0;
    const routine = this.config.accounts.routineChanges;
    if (b.adminActs < routine) {
      score += 0.4;
      reasons.push(b.adminActs === 0 ? `\`${a.principal.id}\` has made no account or privilege change before` : `\`${a.principal.id}\` has made only ${b.adminActs} such change(s) before (routine from ${routine})`);
    }
    const slot = hourOfWeek(a.t);
    if (b.hourTotal >= 20) {
      const share = b.hourShare(slot);
      if (share < 0.02) {
        score += 0.25;
        reasons.push(`at ${String(slot % 24).padStart(2, '0')}:00 UTC, an hour holding ${(share * 100).toFixed(1)}% of its ${b.hourTotal} events`);
      }
    }
    const target = change.target ? this.created.get(change.target) : undefined;
    if (change.privileged) {
      score += change.kind === 'mfa_removed' ? 0.3 : 0.2;
      reasons.push(change.kind === 'mfa_removed' ? 'MFA removed' : `grants administrative power (\`${change.object}\`)`);
      if (target && a.t - target.t <= DAY_MS) {
        score += 0.2;
        reasons.push(`to \`${change.target}\`, an account created ${fmtMinutes(a.t - target.t)} earlier by \`${target.by}\``);
      }
    }
    if (change.kind === 'create' && change.target) {
      if (this.created.size >= MAX_CREATED) this.created.delete(this.created.keys().next().value as string);
      this.created.set(change.target, { t: a.t, by: a.principal.id, unusual: score >= 0.45, grants: [] });
    } else if (target && change.privileged) {
      target.grants.push(change.object);
      target.unusual ||= score >= 0.45;
    }
    b.adminActs++;
    b.dirty = true;
    if (score < 0.3) return;
    const what = change.kind === 'create' ? `created account \`${change.target ?? '?'}\`` : change.kind === 'credential' ? `created a credential for \`${change.target ?? '?'}\`` : `${a.action} ${change.target ? `for \`${change.target}\` ` : ''}on \`${change.object}\``;
    out.push({
      detector: 'risk.privilege_change',
      category: 'identity',
      entity: a.principal,
      score: Math.min(0.95, score),
      explanation: `${what}: ${reasons.join('; ')} (its baseline: ${b.adminActs - 1} account changes, ${b.hourTotal} events over ${fmtDays(a.t - b.firstSeen)})`,
      details: { action: a.action, target: change.target, object: change.object, privileged: change.privileged, resource: `${a.action}|${change.target ?? change.object}` },
      sessionId: a.credentialId,
      requestId: a.requestId,
    });
  }

  /** Any success by `a.principal`: the first use of a recently created account. */
  use(a: Activity, out: Finding[]): void {
    if (this.created.size === 0) return;
    const c = this.created.get(a.key);
    if (!c) return;
    this.created.delete(a.key);
    const age = a.t - c.t;
    if (age > this.config.accounts.newAccountDays * DAY_MS) return;
    // A routine creation then use is a new hire (low); out of pattern, or given admin rights, it is not.
    const score = Math.min(0.9, 0.35 + (c.unusual ? 0.3 : 0) + (c.grants.length > 0 ? 0.2 : 0));
    out.push({
      detector: 'risk.new_account_use',
      category: 'identity',
      entity: a.principal,
      score,
      explanation: `first ${a.kind === 'auth' ? 'sign-in' : 'action'} of \`${a.principal.id}\`${a.sourceIp ? ` from \`${a.sourceIp}\`` : ''}, ${fmtMinutes(age)} after \`${c.by}\` created it${c.grants.length ? `; since given ${c.grants.map((g) => `\`${g}\``).join(', ')}` : ''}${c.unusual ? '; the creation was outside the creator\'s pattern' : ''}`,
      details: { createdBy: c.by, createdAt: new Date(c.t).toISOString(), grants: c.grants, sourceIp: a.sourceIp },
      sessionId: a.credentialId,
      requestId: a.requestId,
    });
  }

  /** A success after a long silence (checked before the activity updates `lastSuccess`). */
  dormant(a: Activity, b: Baseline, out: Finding[]): void {
    const last = b.lastSuccess;
    if (last === 0 || a.t - last < this.config.accounts.dormantDays * DAY_MS || b.events < this.config.accounts.dormantMinEvents) return;
    out.push({
      detector: 'risk.dormant_account',
      category: 'identity',
      entity: a.principal,
      score: 0.55,
      explanation: `\`${a.principal.id}\` is active again after ${fmtDays(a.t - last)} without a successful sign-in or action (last ${new Date(last).toISOString().slice(0, 10)}; its baseline: ${b.events} events since ${new Date(b.firstSeen).toISOString().slice(0, 10)}; dormant from ${this.config.accounts.dormantDays} days)`,
      details: { lastSuccess: new Date(last).toISOString(), silentDays: Math.round((a.t - last) / DAY_MS), sourceIp: a.sourceIp },
      sessionId: a.credentialId,
      requestId: a.requestId,
    });
  }
}

function fmtMinutes(ms: number): string {
  return ms >= 2 * HOUR_MS ? fmtDays(ms) : `${Math.max(1, Math.round(ms / 60_000))} min`;
}
