/**
 * The cost of a piece of work for growth-ratio tests ("8x the input costs about 8x"): this process's CPU
 * time, not wall time, so that a run preempted on a loaded machine does not read as growth, and the best
 * of a few runs, so that a collection or a cold cache in one run does not either.
 */
export function bestCpuMs(runs: number, work: () => void): number {
  let best = Infinity;
  for (let run = 0; run < runs; run++) {
    const before = process.cpuUsage();
    work();
    const { user, system } = process.cpuUsage(before);
    best = Math.min(best, (user + system) / 1000);
  }
  return best;
}
