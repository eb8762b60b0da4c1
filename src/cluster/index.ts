export { createCluster, type Cluster, type ClusterStatus } from './create.js';
export { natsUrlFrom } from './select.js';
export { announcePolicyActivation, shareState } from './share.js';
export { InProcessSharedState, STATE_KINDS, type SharedState, type StateChange, type StateKind } from './shared-state.js';
export { NatsSharedState } from './nats-shared-state.js';
export { NatsLink } from './nats-link.js';
