/**
 * The policy test-case formats `warden policy test` reads.
 *
 * 1. Cedar's integration-test JSON (cedar-policy/cedar-integration-tests): file paths resolved against
 *    the root directory (then against the case's own directory), requests with the expected
 *    `decision`, `reason` (determining policy ids) and `errors` (ids of policies that errored):
 *
 *      { "policies": "tests/ip/policies_1.cedar", "entities": "sample-data/sandbox_a/entities.json",
 *        "schema": "sample-data/sandbox_a/schema.cedarschema", "shouldValidate": true,
 *        "requests": [{ "description": "...", "principal": {"type": "User", "id": "alice"},
 *                       "action": {...}, "resource": {...}, "context": {...},
 *                       "decision": "allow", "reason": ["policy0"], "errors": [] }] }
 *
 * 2. The cedar-examples use-case layout: a directory with `policies.cedar`, `entities.json`, optional
 *    `policies.cedarschema` and `linked` (template links), and `ALLOW/` and `DENY/` folders of request
 *    files whose uids are Cedar text (`"principal": "User::\"alice\""`).
 */
import { z } from 'zod';
import { parseUidText } from './uid-text.js';

const uidObject = z.union([
  z.object({ type: z.string(), id: z.string() }),
  z.object({ __entity: z.object({ type: z.string(), id: z.string() }) }).transform((u) => u.__entity),
]);

/** A uid as `{type, id}`, `{__entity: {type, id}}` or Cedar text `Type::"id"`. */
export const uidSchema = z.union([
  uidObject,
  z.string().transform((s, ctx) => {
    const uid = parseUidText(s);
    if (uid === undefined) {
      ctx.addIssue({ code: 'custom', message: `\`${s}\` is not an entity uid like Type::"id"` });
      return z.NEVER;
    }
    return uid;
  }),
]);

/** The context is checked to be a JSON object here and fed to the engines as read (see load.ts). */
const contextSchema = z.custom<Record<string, unknown>>((v) => typeof v === 'object' && v !== null && !Array.isArray(v), 'the context must be a JSON object').optional();

export const integrationRequestSchema = z.object({
  description: z.string().default(''),
  principal: uidSchema,
  action: uidSchema,
  resource: uidSchema,
  context: contextSchema,
  decision: z.enum(['allow', 'deny', 'Allow', 'Deny']).transform((d) => d.toLowerCase() as 'allow' | 'deny'),
  reason: z.array(z.string()).optional(),
  errors: z.array(z.string()).optional(),
  /** As in Cedar's harness: validate the request against the schema (default true). */
  validateRequest: z.boolean().optional(),
}).strict();

/** Unknown fields are refused, as Cedar's harness refuses them (`deny_unknown_fields`): a misspelt
 * `validateRequest` or `shouldValidate` must not silently change what is checked. */
export const integrationCaseSchema = z.object({
  policies: z.string(),
  entities: z.string(),
  schema: z.string().optional(),
  shouldValidate: z.boolean().optional(),
  requests: z.array(integrationRequestSchema),
}).strict();

export const exampleRequestSchema = z.object({
  principal: uidSchema,
  action: uidSchema,
  resource: uidSchema,
  context: contextSchema,
});

export const linkFileSchema = z.array(
  z.object({
    template_id: z.string(),
    link_id: z.string(),
    args: z.record(z.string(), uidSchema),
  }),
);

export type IntegrationCase = z.infer<typeof integrationCaseSchema>;
