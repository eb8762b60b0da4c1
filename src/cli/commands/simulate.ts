/**
 * `warden simulate`: generates a realistic organisation's weeks of behaviour with labelled attacks and
 * scores the risk engine on it (or writes the events as JSON lines with `--out`).
 */
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { UsageError, writeLine, type Command } from '../command.js';
import { parse } from '../options.js';
import { evaluate, openGeoLocator, renderEvaluation, simulate } from '../../risk/index.js';

function intFlag(value: string | undefined, name: string, min: number, max: number, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) throw new UsageError(`--${name}: expected an integer from ${min} to ${max}`);
  return n;
}

export const simulateCommand: Command = {
  name: 'simulate',
  summary: 'simulate an organisation with labelled attacks and evaluate the risk engine on it',
  usage: 'usage: warden simulate [--seed N] [--days N] [--users-per-team N] [--out EVENTS.jsonl] [--json]',
  async run(args, io) {
    const { values } = parse(args, { seed: { type: 'string' }, days: { type: 'string' }, 'users-per-team': { type: 'string' }, out: { type: 'string' }, json: { type: 'boolean' } });
    const seed = intFlag(values.seed, 'seed', 0, 2 ** 31, 1);
    const days = intFlag(values.days, 'days', 16, 120, 28);
    const usersPerTeam = intFlag(values['users-per-team'], 'users-per-team', 5, 500, 25);
    const geo = openGeoLocator({ defaultAccuracyKm: 100, unknownCidrs: [] });
    const sim = simulate(geo, { seed, days, usersPerTeam });
    if (values.out) {
      const path = resolve(io.cwd, values.out);
      writeFileSync(path, sim.events.map((e) => JSON.stringify(e)).join('\n') + '\n');
      writeFileSync(`${path}.labels.json`, JSON.stringify(sim.labels.map((l) => ({ ...l, start: new Date(l.start).toISOString(), end: new Date(l.end).toISOString() })), null, 2) + '\n');
      writeLine(io.stdout, `wrote ${sim.events.length} events to ${path} and ${sim.labels.length} attack labels to ${path}.labels.json`);
      return 0;
    }
    const evaluation = evaluate(sim, geo);
    if (values.json) writeLine(io.stdout, JSON.stringify(evaluation));
    else writeLine(io.stdout, renderEvaluation(evaluation, `seed ${seed}: ${days} days, ${sim.org.users.length} users, ${sim.org.services.length} services, ${sim.org.agents.length} agents`));
    return 0;
  },
};
