/** Differential fuzzing of the compiled Cedar evaluator against cedar-wasm. */
export { runFuzz, shrink, compare, formatDisagreement } from './run.js';
export type { FuzzOptions, FuzzReport, Disagreement } from './run.js';
export { generateWorld, generateRequest } from './gen-world.js';
export { Rng } from './random.js';
