/**
 * Core: what every module shares and nothing below it: the error type and its JSON shape, event and
 * decision types, the logger, strict/lossless JSON, secret references, paths, small utilities.
 * It imports no other module.
 */
export { DeliveryLoop } from './delivery-loop.js';
export { errorBody, ERRORS, WardenError } from './errors.js';
export type { ErrorCode } from './errors.js';
export type { AdminEvent, AssetEvent, AuthenticationEvent, DecisionEvent, DetectionEvent, NewEvent, PrincipalRef, ResponseEvent, RiskEvent, Severity, WardenEvent, WardenEventType } from './events.js';
export { dequantizeInt16, quantizeInt16 } from './int16-weights.js';
export { JsonFloat, JsonSyntaxError, needsLosslessJson, parseJsonLossless, parseJsonStrict, StrictJsonError, stringifyJsonLossless, stringifyStrict } from './json/index.js';
export { createLogger } from './logger.js';
export type { Logger } from './logger.js';
export { packageRoot } from './paths.js';
export { prng } from './prng.js';
export type { Authentication, Decision, DecisionOutcome, DecisionReason, Device, DeviceProof, EntityRef, Identity, Obligation, PostureFact, Principal, PrincipalKind, ResourceRef, RiskSnapshot, RoleGrant } from './types.js';
export { ConfigError } from './errors.js';
export { resolveSecret } from './secret.js';
