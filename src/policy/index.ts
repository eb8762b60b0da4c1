export { readBundle, bundleDigest, demoPolicyDir, BundleError, type PolicyBundle, type PolicyProblem, type TemplateLinkSpec } from './bundle.js';
export { compileBundle, formatProblems, type CompiledBundle } from './compile.js';
export { buildContext, normaliseIp, type ContextFacts, type GuardFacts, type ResponseContextFacts } from './context.js';
export { principalEntity, resourceEntity, toCedarValue, toCedarRecord, uid, ipValue, NAMESPACE } from './entities.js';
export { PolicyDecisionPoint, type PdpResult, type LoadReport } from './pdp.js';
export { PolicyVersionStore, type PolicyVersionInfo } from './versions.js';
export { PolicyManager } from './manager.js';
export { buildCedarRequest, type CedarRequest } from './request.js';
