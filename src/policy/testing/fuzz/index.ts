/** Differential fuzzing of the compiled Cedar evaluator against cedar-wasm. */
export { runFuzz, shrink, compare, formatDisagreement } from './run.js';
export type { FuzzOptions, FuzzReport, Disagreement, Outcome, Reproducer } from './run.js';
export { generateWorld, generateRequest, FUZZ_SCHEMA } from './gen-world.js';
export { Rng } from './random.js';
