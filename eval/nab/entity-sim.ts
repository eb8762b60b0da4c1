/**
 * Companion check to NAB for Warden's own use: synthetic hourly request counts of office workers
 * (Poisson; 40/h on weekday working hours, 1/h at night, 3/h at weekends; 8 weeks), half of them with
 * an injected surge (MULT x for 3 hours on a Wednesday of week 7). Reports surges caught (within 6 h)
 * and entity-days with a false alert after two weeks of learning, for the defaults and the entity
 * preset. Usage: npx tsx eval/nab/entity-sim.ts [MULT=5] [ENTITIES=200]
 */
import { createVolumeDetector, ENTITY_VOLUME_OPTIONS, type VolumeDetectorOptions } from '../../src/risk/volume/index.js';
import { Random } from '../../src/risk/index.js';

const MULT = Number(process.argv[2] ?? 5);
const ENTITIES = Number(process.argv[3] ?? 200);
const HOUR = 3_600_000;
const MONDAY = Date.UTC(2026, 0, 5);
const ALERT = 0.4;

const configs: Record<string, VolumeDetectorOptions> = {
  defaults: {},
  'entity preset': ENTITY_VOLUME_OPTIONS,
  'entity preset, weekly bins': { ...ENTITY_VOLUME_OPTIONS, seasonPeriodMs: 7 * 24 * HOUR, seasonBins: 168 },
};

for (const [name, options] of Object.entries(configs)) {
  let caught = 0;
  let injected = 0;
  let falseDays = 0;
  let days = 0;
  let delay = 0;
  for (let u = 0; u < ENTITIES; u++) {
    const r = new Random(u + 1);
    const det = createVolumeDetector(options);
    const inject = u % 2 === 0;
    const at = (6 * 7 + 2) * 24 + 10 + (u % 5);
    let alertToday = false;
    let found = -1;
    for (let h = 0; h < 8 * 7 * 24; h++) {
      const day = Math.floor(h / 24);
      const hour = h % 24;
      if (hour === 0 && h > 0) {
        const surgeDay = inject && Math.floor(at / 24) === day - 1;
        if (day - 1 >= 14 && !surgeDay) {
          days++;
          if (alertToday) falseDays++;
        }
        alertToday = false;
      }
      const work = day % 7 < 5 && hour >= 9 && hour < 17;
      let mean = work ? 40 : day % 7 < 5 ? 1 : 3;
      if (inject && h >= at && h < at + 3) mean *= MULT;
      const s = det.update(r.poisson(mean), MONDAY + h * HOUR).score;
      if (s < ALERT) continue;
      if (inject && h >= at && h < at + 6) {
        if (found < 0) found = h - at;
      } else alertToday = true;
    }
    if (inject) {
      injected++;
      if (found >= 0) {
        caught++;
        delay += found;
      }
    }
  }
  console.log(
    `${name.padEnd(28)} surges x${MULT} caught ${caught}/${injected} (mean delay ${(delay / Math.max(1, caught)).toFixed(2)} h); ` +
      `entity-days with a false alert ${falseDays}/${days} = ${((100 * falseDays) / days).toFixed(2)}%`,
  );
}
