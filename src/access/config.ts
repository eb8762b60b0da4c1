/**
 * The `access:` section: roles a principal may ask to hold for a while (just-in-time elevation), who
 * approves each, how many distinct approvals it takes and the longest window it may be granted for.
 *
 * @example
 * access:
 *   roles:
 *     - role: admin
 *       approvers: [carol, group:security]
 *       approvals: 2
 *       maxSeconds: 3600
 */
import { z } from 'zod';

const approver = z
  .string()
  .min(1)
  .max(200)
  .regex(/^(group:)?[^\s:]+$/, 'a principal id or `group:NAME`');

export const accessRoleSchema = z
  .object({
    role: z.string().min(1).max(100).regex(/^[A-Za-z0-9_.-]+$/, 'letters, digits, `_`, `.`, `-`'),
    /** Principal ids, or `group:NAME` for every member of a group. */
    approvers: z.array(approver).min(1).max(100),
    /** Distinct approvals needed (never the requester's own). */
    approvals: z.union([z.literal(1), z.literal(2)]).default(1),
    /** The longest window a request may ask for. */
    maxSeconds: z.number().int().min(60).max(7 * 86_400).default(3600),
  })
  .strict();

export const accessConfigSchema = z
  .object({
    roles: z.array(accessRoleSchema).max(100).default([]),
    /** How long a request waits for its approvals before it lapses. */
    pendingSeconds: z.number().int().min(60).max(30 * 86_400).default(86_400),
    /** How recent an approver's own multi-factor sign-in must be to stand for the fresh verification. */
    approverMfaMaxAgeSeconds: z.number().int().min(30).max(3600).default(300),
  })
  .strict()
  .superRefine((value, ctx) => {
    const seen = new Set<string>();
    for (const [i, r] of value.roles.entries()) {
      if (seen.has(r.role)) ctx.addIssue({ code: 'custom', path: ['roles', i, 'role'], message: `role \`${r.role}\` is configured twice` });
      seen.add(r.role);
    }
  })
  .prefault({});

export type AccessConfig = z.infer<typeof accessConfigSchema>;
export type AccessRoleConfig = z.infer<typeof accessRoleSchema>;
