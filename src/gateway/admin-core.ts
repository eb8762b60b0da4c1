/**
 * The foundation's admin API: API keys, policy versions (validate, show, activate, dry-run) and the
 * decision record. Other modules contribute their own `AdminRoute`s.
 */
import { z } from 'zod';
import { WardenError } from '../core/index.js';
import type { EventBus } from '../events/index.js';
import type { DecisionLog } from '../events/index.js';
import { scopeNotCovered, type ApiKeyStore, type Directory } from '../identity/index.js';
import { BundleError, PolicyDecisionPoint, compileBundle, type PolicyBundle, type PolicyManager } from '../policy/index.js';
import type { AdminRequest, AdminRoute } from './admin-route.js';
import { authorizeSchema } from './authorize.js';
import { dryRun } from './dry-run.js';
import type { RiskSource } from './pipeline.js';
import { validateInput } from './validate.js';

export interface CoreAdminDeps {
  apiKeys: ApiKeyStore;
  policies: PolicyManager;
  decisions: DecisionLog;
  directory: Directory;
  risk: RiskSource;
  bus: EventBus;
  instanceId: string;
}

const createKeySchema = z.object({
  principal: z.string().min(1).max(200),
  name: z.string().max(200).optional(),
  scopes: z.array(z.string().min(1).max(100)).max(50).optional(),
  expiresAt: z.iso.datetime().optional(),
});

const bundleSchema = z.object({
  files: z.record(z.string().min(1).max(300), z.string().max(1_000_000)).refine((f) => Object.keys(f).length > 0, 'at least one policy file is required'),
  schema: z.string().max(1_000_000).optional(),
  entities: z.array(z.any()).max(100_000).optional(),
  links: z.array(z.object({ templateId: z.string(), newId: z.string(), values: z.record(z.string(), z.object({ type: z.string(), id: z.string() })) })).optional(),
});

const dryRunSchema = z.object({
  candidate: z.union([bundleSchema, z.object({ version: z.number().int().positive() })]),
  requests: z.array(authorizeSchema).min(1).max(10_000),
});

const decisionQuerySchema = z.object({
  decisionId: z.string().min(1).max(100).optional(),
  principal: z.string().max(300).optional(),
  outcome: z.enum(['allow', 'deny', 'step_up']).optional(),
  since: z.iso.datetime().optional(),
  until: z.iso.datetime().optional(),
  after: z.coerce.number().int().min(0).max(Number.MAX_SAFE_INTEGER).optional(),
  limit: z.coerce.number().int().min(1).max(1000).optional(),
});

/**
 * What a key created by this caller may be at most: an API key passes on its own scopes and expiry (the
 * default for the new key, and its bound); other credentials are governed by the admin role alone.
 */
function keyBounds(req: AdminRequest, apiKeys: ApiKeyStore): { scopes: string[]; expiresAt?: Date } {
  const authn = req.identity.authentication;
  if (authn.method !== 'apikey') return { scopes: ['*'] };
  const own = authn.credentialId === undefined ? undefined : apiKeys.record(authn.credentialId);
  // The caller's own record is in memory (it was just verified); without it, nothing is delegable.
  if (!own) return { scopes: [] };
  return { scopes: own.scopes, ...(own.expiresAt ? { expiresAt: new Date(own.expiresAt) } : {}) };
}

export function coreAdminRoutes(deps: CoreAdminDeps): AdminRoute[] {
  const audit = (req: AdminRequest, operation: string, target: string, details?: Record<string, unknown>): void => {
    deps.bus.publish({
      type: 'admin',
      source: deps.instanceId,
      actor: { type: req.identity.principal.kind, id: req.identity.principal.id },
      operation,
      target,
      outcome: 'success',
      ...(details ? { details } : {}),
    });
  };
  const fullBundle = async (input: z.infer<typeof bundleSchema>): Promise<PolicyBundle> => {
    const active = await deps.policies.store.get(deps.policies.pdp.version ?? -1);
    return { files: input.files, schema: input.schema ?? active?.schema ?? '', entities: input.entities ?? active?.entities ?? [], links: input.links ?? [] };
  };
  const asProblem = (error: unknown): never => {
    if (error instanceof BundleError) throw new WardenError('policy_invalid', error.message, { details: { problems: error.problems } });
    throw error;
  };

  return [
    {
      method: 'POST',
      path: '/keys',
      handler: async (req) => {
        const input = validateInput(createKeySchema, req.body);
        const bounds = keyBounds(req, deps.apiKeys);
        const scopes = input.scopes ?? bounds.scopes;
        const notCovered = scopeNotCovered(bounds.scopes, scopes);
        if (notCovered !== undefined) throw new WardenError('insufficient_scope', `a key cannot create a key broader than itself: \`${notCovered.slice(0, 100)}\` is not within its scopes`);
        const expiresAt = input.expiresAt ? new Date(input.expiresAt) : bounds.expiresAt;
        if (expiresAt && expiresAt.getTime() <= Date.now()) throw new WardenError('bad_request', '`expiresAt` is in the past');
        if (bounds.expiresAt && (!expiresAt || expiresAt > bounds.expiresAt)) throw new WardenError('insufficient_scope', 'a key cannot create a key that outlives it');
        const { key, record } = await deps.apiKeys.create({ principal: input.principal, ...(input.name ? { name: input.name } : {}), scopes, ...(expiresAt ? { expiresAt } : {}) });
        audit(req, 'keys.create', record.id, { principal: record.principal });
        return { status: 201, body: { key, ...record } };
      },
    },
    { method: 'GET', path: '/keys', query: ['principal'], handler: async (req) => ({ body: { items: await deps.apiKeys.list(req.query.principal) } }) },
    {
      method: 'DELETE',
      path: '/keys/:id',
      handler: async (req) => {
        if (!(await deps.apiKeys.revoke(req.params.id!))) throw new WardenError('not_found', `no key \`${req.params.id}\``);
        audit(req, 'keys.revoke', req.params.id!);
        return { body: { id: req.params.id, revoked: true } };
      },
    },
    { method: 'GET', path: '/policies', handler: async () => ({ body: { active: deps.policies.pdp.version ?? null, versions: await deps.policies.store.list() } }) },
    {
      method: 'GET',
      path: '/policies/active',
      handler: async () => {
        const version = deps.policies.pdp.version;
        const bundle = version === undefined ? undefined : await deps.policies.store.get(version);
        if (!bundle) throw new WardenError('not_found', 'no active policy version');
        return { body: { version, ...bundle } };
      },
    },
    {
      method: 'POST',
      path: '/policies/validate',
      handler: async (req) => {
        const bundle = await fullBundle(validateInput(bundleSchema, req.body));
        try {
          compileBundle(bundle);
          return { body: { valid: true, problems: [] } };
        } catch (error) {
          if (error instanceof BundleError) return { status: 422, body: { valid: false, message: error.message, problems: error.problems } };
          throw error;
        }
      },
    },
    {
      method: 'POST',
      path: '/policies',
      handler: async (req) => {
        const bundle = await fullBundle(validateInput(bundleSchema, req.body));
        const by = `${req.identity.principal.kind}::${req.identity.principal.id}`;
        try {
          const report = await deps.policies.publish(bundle, by);
          audit(req, 'policies.activate', String(report.version));
          return { status: 201, body: report };
        } catch (error) {
          return asProblem(error);
        }
      },
    },
    {
      method: 'POST',
      path: '/policies/:version/activate',
      handler: async (req) => {
        const version = Number(req.params.version);
        if (!Number.isInteger(version) || version < 1) throw new WardenError('validation_failed', '`version`: expected a positive integer');
        if (!(await deps.policies.store.get(version))) throw new WardenError('not_found', `no policy version ${version}`);
        try {
          const report = await deps.policies.activate(version, `${req.identity.principal.kind}::${req.identity.principal.id}`);
          audit(req, 'policies.activate', String(version));
          return { body: report };
        } catch (error) {
          return asProblem(error);
        }
      },
    },
    {
      method: 'POST',
      path: '/policies/dry-run',
      handler: async (req) => {
        const input = validateInput(dryRunSchema, req.body);
        const candidateBundle = 'version' in input.candidate ? await deps.policies.store.get(input.candidate.version) : await fullBundle(input.candidate);
        if (!candidateBundle) throw new WardenError('not_found', 'no such policy version');
        const candidate = new PolicyDecisionPoint('wasm');
        try {
          candidate.load(0, candidateBundle);
        } catch (error) {
          return asProblem(error);
        }
        const active = deps.policies.pdp.version === undefined ? undefined : deps.policies.pdp;
        const results = dryRun(input.requests, { candidate, ...(active ? { active } : {}), directory: deps.directory, risk: deps.risk });
        return { body: { changed: results.filter((r) => r.changed).length, results } };
      },
    },
    {
      method: 'GET',
      path: '/decisions',
      query: Object.keys(decisionQuerySchema.shape),
      handler: async (req) => {
        const q = validateInput(decisionQuerySchema, req.query);
        await deps.decisions.flush();
        return { body: await deps.decisions.repo.query(q) };
      },
    },
  ];
}
