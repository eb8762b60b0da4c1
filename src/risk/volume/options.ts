import { z } from 'zod';
import { WardenError } from '../../core/index.js';

/**
 * Tuning knobs of the volume detector, all optional. Defaults were chosen on the NAB corpus (see
 * docs/risk-nab.md: NAB is also the test set, so the NAB figure is optimistic).
 */
export const volumeDetectorOptionsSchema = z
  .object({
    /** points seen before the likelihood can rise (learning period) */
    learningPoints: z.number().int().min(0).max(1_000_000).default(100),
    /** EWMA weight of the recent level (the baseline until a time-of-day bin is ready) */
    levelAlpha: z.number().gt(0).max(1).default(0.1),
    /** EWMA weight of the recent level's mean absolute deviation */
    scaleAlpha: z.number().gt(0).max(1).default(0.05),
    /** smallest scale, as a fraction of the observed range (keeps flat series from exploding) */
    minScaleFraction: z.number().min(0).max(1).default(0.01),
    /** time-of-day bins of the seasonal baseline (each period / seasonBins wide); 0 disables it */
    seasonBins: z.number().int().min(0).max(10_000).default(48),
    /** seasonal period in ms */
    seasonPeriodMs: z.number().int().positive().default(86_400_000),
    /** EWMA weight inside a seasonal bin */
    seasonAlpha: z.number().gt(0).max(1).default(0.1),
    /** values a bin needs before it is used as the baseline */
    seasonMinCount: z.number().int().min(1).default(3),
    /** which deviations count: both ways (`both`, as NAB scores), only above (`up`: volume surges) or only below (`down`) */
    direction: z.enum(['both', 'up', 'down']).default('both'),
    /** which error feeds the likelihood: seasonal (`season`), level (`local`), or the min/max/mean of both */
    combine: z.enum(['season', 'local', 'min', 'max', 'mean']).default('season'),
    /** error (in mean absolute deviations) that maps to raw score 1 */
    errorScale: z.number().positive().default(3),
    /** 0: raw score 1 - exp(-error / errorScale) in [0, 1); > 0: error / errorScale capped at this */
    rawCap: z.number().min(0).max(1000).default(3),
    /** short averaging windows of raw scores (points); one likelihood each, the largest wins */
    shortWindows: z.array(z.number().int().min(1).max(10_000)).min(1).max(8).default([10]),
    /** EWMA weight of the long-run distribution of the short averages */
    likelihoodAlpha: z.number().gt(0).max(1).default(0.0003),
    /** smallest standard deviation of that distribution */
    minLikelihoodStd: z.number().min(0).default(0.01),
    /** a value beyond the min/max seen so far by this fraction of the range is a spatial anomaly (score 1) */
    spatialTolerance: z.number().min(0).default(0.02),
    /** ...and at least this many usual deviations from the expected value */
    spatialMinDeviation: z.number().min(0).default(0),
    /** points before spatial anomalies count */
    spatialMinPoints: z.number().int().min(0).default(100),
    /** after an alert, points during which scores are suppressed (one alert per episode) */
    suppressPoints: z.number().int().min(0).default(30),
    /** ...unless the likelihood has stayed below alertLevel for this many points since (a new episode) */
    rearmPoints: z.number().int().min(1).default(5),
    /** likelihood from which a point counts as an alert and starts suppression */
    alertLevel: z.number().min(0).max(1).default(0.4),
  })
  .strict();

export type VolumeDetectorOptions = z.input<typeof volumeDetectorOptionsSchema>;
export type ResolvedVolumeOptions = z.output<typeof volumeDetectorOptionsSchema>;

export const DEFAULT_VOLUME_OPTIONS: ResolvedVolumeOptions = volumeDetectorOptionsSchema.parse({});

/**
 * Options for per-entity volumes in Warden (requests, bytes, tokens, downloads per hour): only surges
 * count (a quiet weekend is not a threat), and a new maximum must clear the old one by a quarter of the
 * range (noise makes small new records). On synthetic office workers (eval/nab/entity-sim.ts) it caught
 * every 3x and 5x surge in its first hour and 86% of 2x surges, with false alerts on 0.02-0.04% of
 * entity-days; the defaults (tuned on NAB) false-alert on 1.8% of entity-days there.
 */
export const ENTITY_VOLUME_OPTIONS: Readonly<VolumeDetectorOptions> = Object.freeze({
  direction: 'up',
  spatialTolerance: 0.25,
});

/**
 * Frozen option objects resolved so far (ENTITY_VOLUME_OPTIONS: a detector is made for every metric of
 * every principal, and validating the same frozen object again would give the same result).
 */
const resolvedFrozen = new WeakMap<object, ResolvedVolumeOptions>();

/** Validate options; bad input is a `config_invalid` WardenError naming the field. */
export function resolveOptions(options: VolumeDetectorOptions): ResolvedVolumeOptions {
  const frozen =
    options !== null && typeof options === 'object' && Object.isFrozen(options) && Object.values(options).every((v) => v === null || typeof v !== 'object' || Object.isFrozen(v));
  const known = frozen ? resolvedFrozen.get(options) : undefined;
  if (known) return known;
  const r = volumeDetectorOptionsSchema.safeParse(options ?? {});
  if (!r.success) {
    const issue = r.error.issues[0];
    const path = issue?.path.join('.') || '(root)';
    throw new WardenError('config_invalid', `invalid volume detector option \`${path}\`: ${issue?.message ?? 'invalid'}`, {
      cause: r.error,
    });
  }
  if (frozen) resolvedFrozen.set(options, Object.freeze(r.data));
  return r.data;
}
