/** Lossless JSON: integers kept exact beyond 2^53, floats kept apart, duplicate keys refused, no prototypes (Cedar data, signed statements). */
export { parseJsonLossless, stringifyJsonLossless, needsLosslessJson, JsonFloat, JsonSyntaxError, type LosslessJson, type LosslessParseOptions } from './lossless.js';
/** Strict JSON for request bodies: what is inspected is what is forwarded (no parser differentials). */
export { parseJsonStrict, stringifyStrict, StrictJsonError, type StrictParseOptions } from './strict.js';
