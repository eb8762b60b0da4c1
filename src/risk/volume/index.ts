/**
 * Streaming volume anomaly detector: one pass, O(1) time and bounded memory per series, explainable
 * (expected vs observed, against which baseline). See docs/risk-nab.md.
 *
 * @example
 * const det = createVolumeDetector();
 * const { score, expected, explanation } = det.update(requestsThisHour, Date.now());
 */
export { createVolumeDetector, STATE_VERSION, type VolumeDetector, type VolumeScore } from './detector.js';
export {
  DEFAULT_VOLUME_OPTIONS,
  ENTITY_VOLUME_OPTIONS,
  volumeDetectorOptionsSchema,
  type ResolvedVolumeOptions,
  type VolumeDetectorOptions,
} from './options.js';
