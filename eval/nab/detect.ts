/** Runs Warden's volume detector over NAB series (one detector per series, as NAB does). */
import { createVolumeDetector, type VolumeDetectorOptions } from '../../src/risk/volume/index.js';
import type { NabSeries } from './corpus.js';
import type { LabelledSeries } from './scorer.js';

export function detectCorpus(corpus: readonly NabSeries[], options: VolumeDetectorOptions = {}): LabelledSeries[] {
  return corpus.map((s) => {
    const det = createVolumeDetector(options);
    const scores = new Float64Array(s.values.length);
    for (let i = 0; i < s.values.length; i++) {
      scores[i] = det.update(s.values[i] as number, s.timestamps[i] as number).score;
    }
    return { name: s.name, scores, windows: s.windows };
  });
}
