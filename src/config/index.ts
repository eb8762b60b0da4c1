/**
 * Configuration: the `warden.yaml` schema (composed of each module's own section schema), loading and
 * validation, the embedded demo configuration and the cross-reference checks. It sits above the modules
 * whose schemas it composes: they import only its types, never its values (an import cycle otherwise).
 */
export { assertReferences } from './check.js';
export { DEMO_UPSTREAM, demoExposureProblem, isLoopbackHost } from './demo.js';
export { loadConfig, resolveConfigPath } from './load.js';
export type { LoadedConfig } from './load.js';
export type { DeviceConfig, JwtIssuerConfig, ModelConfig, PrincipalConfig, RouteConfig, UpstreamConfig, WardenConfig } from './schema.js';
