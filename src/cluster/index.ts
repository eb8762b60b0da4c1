/** Running several instances as one: the NATS link and shared state, Redis, the `cluster:` config section, state sharing. */
export { createCluster, type Cluster, type ClusterStatus } from './create.js';
export { natsUrlFrom } from './select.js';
export { announcePolicyActivation, shareState } from './share.js';
export { InProcessSharedState, STATE_KINDS, type SharedState, type StateChange, type StateKind } from './shared-state.js';
export { NatsSharedState } from './nats-shared-state.js';
export { NatsLink } from './nats-link.js';
export { closeRedis, openRedis, REDIS_NOW_LUA, whenReady } from './redis-client.js';
export { clusterConfigSchema, clusterDatabaseUrl, redisUrlOf } from './config.js';
