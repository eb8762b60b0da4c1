/** Rate limits and budgets across the cluster: rules, window arithmetic, counter stores and the limiter. */
export { limitsConfigSchema, type LimitRule, type LimitsConfig } from './config.js';
export { Limiter, type Admission, type AdmitResult, type LimitState } from './limiter.js';
export { countersFor, type LimitSubject } from './rules.js';
export { MemoryCounterStore } from './store/memory.js';
export { RedisCounterStore } from './store/redis.js';
export { CounterStoreUnavailable, type CounterStore } from './store/types.js';
export { limitReferenceProblems } from './check.js';
export { createLimiter } from './create.js';
