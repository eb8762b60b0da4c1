/** Cedar policies: bundles, compilation, the decision point, entities and context, versioned storage. */
export { readBundle, bundleDigest, demoPolicyDir, BundleError, type PolicyBundle, type PolicyProblem, type TemplateLinkSpec } from './bundle.js';
export { compileBundle, formatProblems, type CompiledBundle } from './compile.js';
export { buildContext, normaliseIp, type ContextFacts, type GuardFacts, type LimitFacts, type ResponseContextFacts } from './context.js';
export { principalEntity, resourceEntity, toCedarValue, toCedarRecord, uid, ipValue, NAMESPACE } from './entities.js';
export { PolicyDecisionPoint, type PdpResult, type LoadReport } from './pdp.js';
export { NoSuchPolicyVersion, type PolicyRepository, type PolicyVersionInfo } from './store/types.js';
export { SqlitePolicyRepository } from './store/sqlite.js';
export { PgPolicyRepository } from './store/postgres.js';
export { PolicyManager } from './manager.js';
export { buildCedarRequest, type CedarRequest } from './request.js';
export { ENGINE_NAMES } from './engine/index.js';
export type { EngineName } from './engine/index.js';
export { CaseLoadError, loadCases, runCases } from './testing/index.js';
