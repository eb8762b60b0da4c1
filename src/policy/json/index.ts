/** Lossless JSON for Cedar data: i64 integers kept exact, floats kept apart, duplicate keys refused. */
export { parseJsonLossless, stringifyJsonLossless, needsLosslessJson, JsonFloat, JsonSyntaxError, type LosslessJson, type LosslessParseOptions } from './lossless.js';
